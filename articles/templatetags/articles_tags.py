import functools
import json

import segno
from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

from articles.links import absolute_url
from articles.markdown import figure_html

register = template.Library()


@register.filter
def ld_json(data: dict) -> SafeString:
    """Structured data for a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_json_script_escapes)
    return mark_safe(text)  # noqa: S308 (escaped above, as Django's json_script does)


@register.filter
def absolute(path: str) -> str:
    """``{{ article.get_absolute_url|absolute }}``: the full address, from SITE_URL."""
    return absolute_url(path)


@register.simple_tag(takes_context=True)
def medical_webpage(context, article) -> SafeString:
    """schema.org MedicalWebPage for an article. It claims a review only when a named clinician
    signed the article off."""
    clinic = context["clinic"]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "url": absolute_url(article.get_absolute_url()),
        "inLanguage": "en-GB",
        "datePublished": article.display_date.date().isoformat(),
        "dateModified": article.updated_at.date().isoformat(),
        "about": {"@type": "MedicalTherapy", "name": "Dry needling"},
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "publisher": {"@type": "MedicalClinic", "name": clinic.name, "url": absolute_url("/")},
    }
    if article.is_signed_off:
        data["lastReviewed"] = article.signed_off_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": article.signed_off_by,
            "jobTitle": article.signed_off_profession,
        }
    return ld_json(data)


@register.simple_tag
def qr_code(url: str) -> SafeString:
    """A QR code that opens ``url``, drawn on the server as inline SVG (no other host asked)."""
    return mark_safe(_qr_svg(url))  # noqa: S308 (made here)


# An address's code never changes, and drawing it costs more than the rest of its page: each
# is drawn once by each worker (a few kilobytes each, for the site's few thousand addresses).
@functools.lru_cache(maxsize=4096)
def _qr_svg(url: str) -> str:
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, border=2, title=f"QR code: {url}", svgclass="qr-code")
    return svg.replace("<svg ", '<svg role="img" ', 1)


@register.simple_tag
def figure(name: str) -> SafeString:
    """One of the drawings that ship with the site (see articles/figures/)."""
    return mark_safe(figure_html(name) or "")  # noqa: S308 (a file from the repository)
