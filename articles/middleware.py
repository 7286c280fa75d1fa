"""Guards that sit in front of every view: request bodies too big for the door they come to are
refused before they are read, a database that is down or too slow gives a friendly 503, and
every response carries its Content-Security-Policy (public or staff) and a Permissions-Policy."""

import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Staff pages take pictures (at most 5 MB) with the rest of a form; visitors only ever send a
# short form.
STAFF_PATHS = ("/admin/", "/markdownx/", "/editor/")
STAFF_BODY_LIMIT = 6 * 1024 * 1024
PUBLIC_BODY_LIMIT = 64 * 1024
RETRY_AFTER_SECONDS = 30


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = STAFF_BODY_LIMIT if request.path.startswith(STAFF_PATHS) else PUBLIC_BODY_LIMIT
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("That request could not be read.\n", status=400)
        if length > limit:
            return HttpResponse(
                f"That is more than this page accepts ({limit // 1024} KB at most).\n",
                status=413,
                content_type="text/plain",
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.error("database unavailable for %s: %s", request.path, exception)
        # A page of its own, with nothing on it that needs the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the staff policy on the admin's and the editor's paths.

    A view that sets its own policy (the preview frame, pictures) or uses django-csp's decorators
    keeps it."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path.startswith(STAFF_PATHS):
            parts.config = settings.STAFF_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


class PermissionsPolicyMiddleware:
    """Turns off, on every response, the browser features the site never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
