from django.utils.functional import SimpleLazyObject

from .models import ClinicDetails
from .subscriptions import CONSENT_WORDING


def site(request):
    """The clinic's details (looked up only if a page shows them)."""
    return {
        "clinic": SimpleLazyObject(ClinicDetails.load),
        "consent_wording": CONSENT_WORDING,
    }
