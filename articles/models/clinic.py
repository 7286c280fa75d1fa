import re

from django.conf import settings
from django.core.cache import cache
from django.db import models

PHONE_NUMBER = re.compile(r"\s*(\+?[0-9][0-9 ()./-]*)")


class ClinicDetails(models.Model):
    """The clinic's contact details, shown beside every article. There is one row."""

    CACHE_KEY = "clinic-details"

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

    class Meta:
        verbose_name = "clinic details"
        verbose_name_plural = "clinic details"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

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
