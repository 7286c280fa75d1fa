from django.utils.functional import SimpleLazyObject

from .forms import SubscribeForm
from .models import ClinicDetails


def site(request):
    """The clinic's details (looked up only if a page shows them), and the footer's sign-up form
    (made only if a page shows it)."""
    return {
        "clinic": SimpleLazyObject(ClinicDetails.load),
        "footer_form": SimpleLazyObject(
            lambda: SubscribeForm(auto_id="footer-%s", initial={"page": request.path})
        ),
    }
