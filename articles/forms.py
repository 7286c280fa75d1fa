from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.urls import Resolver404, resolve, reverse

from .markdown import unix_line_ends
from .models import Article, Block, ClinicDetails, ClinicianProfile, Reference, Risk, Tag
from .subscriptions import CONSENT_WORDING

MAX_EMAIL_LENGTH = 254
# Pages with a sign-up form, as the consent record may name them.
CONSENT_PAGES = {"home", "articles:list", "articles:detail", "search", "subscribe", "privacy"}

# What staff and content files say about an article, in the order a content file lists it.
# Everything else on the model is derived when it is saved.
ARTICLE_FIELDS = [
    "title",
    "summary",
    "reviewed",
    "review_due",
    "reviewer",
    "signed_off_by",
    "signed_off_profession",
    "signed_off_registration",
    "signed_off_on",
    "signed_off_checksum",
    "slug",
    "order",
    "status",
    "published_at",
    "tags",
    "image",
    "image_alt",
    "body",
]


def validate_single_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError(
            "Keep this on one line: it appears in page titles and email subjects, where a line "
            "break does not belong.",
            code="single_line",
        )


class StaffForm(forms.ModelForm):
    """Line breaks in what staff write, whichever door the text comes through (the admin or a
    content file): every one-line box refuses them, and every box of several lines (the text,
    an address) keeps each one as "\n", however the browser sent it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.CharField and not isinstance(field.widget, forms.Textarea):
                field.validators.append(validate_single_line)
        if "body" in self.fields:
            # Markdown is kept exactly as written: leading spaces can start a code block.
            self.fields["body"].strip = False

    def clean(self):
        cleaned_data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea) and isinstance(cleaned_data.get(name), str):
                cleaned_data[name] = unix_line_ends(cleaned_data[name])
        return cleaned_data


class ArticleForm(StaffForm):
    """What an article is, for both doors: the admin edits through this form, and load_content
    checks every content file with it. Its rules are the model's (``Article.clean``)."""

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS
        error_messages = {
            "reviewed": {"invalid": "Enter a date like 2026-01-31."},
            "review_due": {"invalid": "Enter a date like 2026-01-31."},
            "published_at": {"invalid": "Enter a date and time like 2026-01-31 09:00."},
            "order": {
                "invalid": "Enter a whole number, 0 or more.",
                "min_value": "Enter a whole number, 0 or more.",
            },
            "status": {"invalid_choice": "Choose draft or published."},
            "signed_off_on": {"invalid": "Enter a date like 2026-01-31."},
        }


class BlockForm(StaffForm):
    """A block, for the admin and for ``content/blocks/<name>.md``."""

    class Meta:
        model = Block
        fields = ["title", "name", "body"]


class SignOffForm(StaffForm):
    """The one step of a clinical sign-off: who gives it, that they have read the text, and
    which text they read (its checksum, so that a text changed meanwhile is not signed)."""

    checksum = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have read this article as it is now, and I agree it is accurate and safe to "
        "give to patients.",
        error_messages={"required": "Tick the box to confirm you have read the article."},
    )

    class Meta:
        model = ClinicianProfile
        fields = ["name", "profession", "registration"]


def https_by_default(field, **kwargs):
    """Form fields as the model says, except that an address typed without a scheme gets https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ReferenceForm(StaffForm):
    """A source in the reference list, for the admin and for ``content/references.yaml``."""

    class Meta:
        model = Reference
        fields = ["key", "authors", "year", "title", "source", "url"]
        formfield_callback = https_by_default


class RiskForm(StaffForm):
    """A risk figure, for the admin and for ``content/risks.yaml``: the numbers a study gives,
    from which risks.py writes the words and draws the picture."""

    source = forms.ModelChoiceField(
        queryset=Reference.objects.order_by("key"),
        to_field_name="key",
        help_text=Risk._meta.get_field("source").help_text,
        error_messages={
            "invalid_choice": "There is no source with this key in the reference list. Add it "
            "under References, or check the key."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form names a source by its key, the row by its id: a stored figure's own source
        # is shown chosen, as it is.
        if self.instance.source_id and self.initial.get("source") == self.instance.source_id:
            self.initial["source"] = self.instance.source.key

    class Meta:
        model = Risk
        fields = ["key", "event", "count", "total", "of", "source", "upper", "note"]
        error_messages = {
            "count": {
                "invalid": "Enter a whole number, such as 1450: no % sign, no commas.",
                "min_value": "Enter a whole number, 0 or more.",
            },
            "total": {
                "invalid": "Enter a whole number, such as 7629: no commas.",
                "min_value": "Enter a whole number, 1 or more.",
            },
            "of": {"invalid_choice": "Choose treatments or people."},
        }


class ClinicDetailsForm(StaffForm):
    """The clinic's details: its name and phone number go into page titles and emails; its
    answers to what patients ask go into articles that show them."""

    class Meta:
        model = ClinicDetails
        fields = [
            "name",
            "phone",
            "email",
            "address",
            "opening_hours",
            "booking_url",
            *ClinicDetails.ANSWERS,
        ]
        formfield_callback = https_by_default


class TagForm(StaffForm):
    class Meta:
        model = Tag
        fields = ["name"]


class VisitorForm(forms.Form):
    """A form on the public site: labels without a trailing colon, ids from ``ids``."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class FeedbackForm(VisitorForm):
    """ "Was this page helpful?": two buttons, and a box only robots fill in."""

    ids = "feedback-%s"

    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose Yes or No.", "invalid_choice": "Choose Yes or No."},
    )
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class FeedbackCommentForm(VisitorForm):
    ids = "feedback-%s"
    comment = forms.CharField(
        label="What was missing or unclear?",
        help_text="Please do not include your name, contact details or anything about your own "
        "health: we cannot reply here. To ask about your treatment, contact the clinic.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write a few words, or leave this page if you have nothing to add.",
            "max_length": "Please keep it to 1,000 characters (it has %(show_value)d).",
        },
    )
    token = forms.CharField(widget=forms.HiddenInput)


class SubscribeForm(VisitorForm):
    """The sign-up fields, rendered from here on every page that offers them."""

    email = forms.CharField(
        label="Your email address",
        max_length=1000,  # the real limit is checked in clean_email, with a clearer message
        strip=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address."},
    )
    consent = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": "Tick the box to say you would like these emails."},
    )
    # A field people never see: only form-filling robots put something in it.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    page = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"]
        if "\n" in raw or "\r" in raw:
            raise ValidationError("Enter one email address on a single line.")
        email = raw.strip()
        if not email:
            raise ValidationError("Enter your email address.")
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError(
                f"That is {len(email)} characters long. An email address can have at most "
                f"{MAX_EMAIL_LENGTH}."
            )
        if not email.isascii():
            raise ValidationError(
                "We can only send to addresses made of plain letters (a to z), numbers and "
                "symbols such as . - _ and @. Please use another address."
            )
        # A quoted name ("..."@example.org) may hold them by the email standard; here they would
        # only ever be terminal codes that reach a member of staff's screen or a CSV download.
        if any(ord(character) < 32 or ord(character) == 127 for character in email):
            raise ValidationError(
                "An email address cannot hold control characters (such as tabs or escape "
                "codes). Please type it again."
            )
        domain = email.rpartition("@")[2]
        try:
            validate_email(email)
            # A mail server named by its network address ([127.0.0.1]) or a bare machine name
            # is no one's everyday mailbox, and a way to make the site write to odd places.
            if domain.startswith("[") or "." not in domain:
                raise ValidationError("not a public mail domain")
        except ValidationError:
            raise ValidationError("Enter an email address like name@example.com.") from None
        # One mailbox, however it is typed: Alice@Example.com and alice@example.com are one.
        return email.lower()

    def clean_page(self) -> str:
        """The page the sign-up came from, for the consent record: only a public page of this
        site is recorded as given; anything else is recorded as the sign-up page."""
        page = self.cleaned_data.get("page", "").split("?")[0]
        try:
            match = resolve(page) if page.startswith("/") else None
        except Resolver404:
            match = None
        if match is None or match.view_name not in CONSENT_PAGES:
            return reverse("subscribe")
        slug = match.kwargs.get("slug")
        if slug and not Article.objects.published().filter(slug=slug).exists():
            return reverse("subscribe")
        return page

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))
