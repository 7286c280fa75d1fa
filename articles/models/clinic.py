import re

from django.conf import settings
from django.core.cache import cache
from django.db import models

from ..includes import CLINIC_NOT_GIVEN
from .article import Article
from .included import ShownOnPages, naming

PHONE_NUMBER = re.compile(r"\s*(\+?[0-9][0-9 ()./-]*)")


def _answer(help_text: str) -> models.CharField:
    """One of the clinic's own answers to what patients ask: a short sentence, blank until
    staff write it."""
    return models.CharField(max_length=300, blank=True, default="", help_text=help_text)


class ClinicDetails(ShownOnPages, models.Model):
    """The clinic's contact details, shown beside every article, and its own answers to what
    patients ask, which articles show where they write ``[[clinic:cost]]``. There is one row."""

    CACHE_KEY = "clinic-details"
    # The clinic's answers to what patients ask, and all an article's text may show with
    # [[clinic:...]]: those, and the clinic's name and phone number.
    ANSWERS = (
        "needles",
        "needling_over_chest",
        "electrical_needling",
        "chaperones",
        "cost",
        "session_length",
    )
    IN_TEXT = ("name", "phone", *ANSWERS)

    name = models.CharField(
        max_length=200, default="[Clinic name]", help_text="As patients know it."
    )
    phone = models.CharField(
        max_length=40, default="[Clinic phone number]", help_text="The number patients should call."
    )
    email = models.EmailField(blank=True, help_text="Optional: an address patients may write to.")
    address = models.TextField(
        default="[Clinic address]", help_text="The full address, one part per line."
    )
    opening_hours = models.TextField(
        default="[Opening hours]", help_text="For example: Monday to Friday, 8am to 6pm."
    )
    booking_url = models.URLField(
        "booking address",
        blank=True,
        help_text="The web address where patients book an appointment (starting https://).",
    )
    needles = _answer(
        "The needles you use. For example: “We use single-use, sterile needles and throw each "
        "one away straight after use.” Articles show it where they say [[clinic:needles]]; "
        "left blank, they say “Ask your physiotherapist.”"
    )
    needling_over_chest = _answer(
        "Whether you needle over the chest or upper back. For example: “We do not use needling "
        "over the chest or upper back.” Shown where articles say [[clinic:needling_over_chest]]."
    )
    electrical_needling = _answer(
        "Whether you pass a small electric current through the needles. For example: “We do "
        "not use electrical needling.” Shown where articles say [[clinic:electrical_needling]]."
    )
    chaperones = _answer(
        "Whether patients can have someone with them. For example: “You can bring someone with "
        "you, or ask for a member of staff to be in the room.” Shown where articles say "
        "[[clinic:chaperones]]."
    )
    cost = _answer(
        "What treatment costs. For example: “A 45-minute appointment costs £60, with or without "
        "needling.” Shown where articles say [[clinic:cost]]."
    )
    session_length = _answer(
        "How long an appointment lasts. For example: “An appointment lasts 45 minutes; the "
        "needling itself usually takes less than 15.” Shown where articles say "
        "[[clinic:session_length]]."
    )

    used_as = "shows the clinic's details"

    class Meta:
        verbose_name = "clinic details"
        verbose_name_plural = "clinic details"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        self.rerender_pages()

    def clean(self) -> None:
        """A change shows at once on every page that shows the clinic's answers: each of them
        must still be a page that can be shown (rendered here with the change, for ``save``)."""
        super().clean()
        self._pages = {}
        stored = type(self).objects.filter(pk=1).first()
        if stored is None or stored.shown != self.shown:
            self.check_pages()

    def used_by(self) -> list[Article]:
        """The articles that show any of its answers, in their text or in a block they
        include."""
        return naming(("[[clinic:",))

    @property
    def shown(self) -> tuple[str, ...]:
        """What pages show of it through [[clinic:...]]."""
        return tuple(self.in_text(name) for name in self.IN_TEXT)

    def shows(self, name: str) -> bool:
        return name in self.IN_TEXT

    def in_text(self, name: str) -> str:
        """What patients read where an article shows the field ``name``: the clinic's own words,
        or, where staff have given none, "Ask your physiotherapist."."""
        return getattr(self, name).strip() or CLINIC_NOT_GIVEN

    @property
    def phone_href(self) -> str:
        """A tel: link to the number: its leading part only (no extension or note), the UK
        "(0)" dropped, digits and a leading + kept."""
        match = PHONE_NUMBER.match(self.phone)
        number = match.group(1).replace("(0)", "") if match else ""
        digits = "".join(c for c in number if c in "0123456789")
        plus = "+" if number.startswith("+") else ""
        return f"tel:{plus}{digits}" if len(digits) >= 6 else ""

    @classmethod
    def load(cls) -> "ClinicDetails":
        """The details, from the cache when possible; the placeholders if none were saved."""
        details = cache.get(cls.CACHE_KEY)
        if details is None:
            details = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(cls.CACHE_KEY, details, timeout=None)
        return details


class ClinicianProfile(models.Model):
    """What a member of staff gives when they sign an article off, kept so they type it once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_profile"
    )
    name = models.CharField(max_length=200, help_text="Your name as patients should see it.")
    profession = models.CharField(max_length=100, help_text="For example: Physiotherapist.")
    registration = models.CharField(
        "registration number",
        max_length=50,
        help_text="For example your HCPC number (PH followed by digits), which patients can look "
        "up on the HCPC register.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.profession}"
