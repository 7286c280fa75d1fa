from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import ClinicDetails
from .subscriptions import CONSENT_WORDING


def site(request):
    """The site's address, and the clinic's details (looked up only if a page shows them)."""
    return {
        "site_url": settings.SITE_URL,
        "clinic": SimpleLazyObject(ClinicDetails.load),
        "consent_wording": CONSENT_WORDING,
    }
