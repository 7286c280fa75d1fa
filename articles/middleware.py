"""Guards that sit in front of every view: request bodies too big for the door they come to are
refused before they are read, a database that is down or too slow gives a friendly 503, and
every response carries its Content-Security-Policy (public or staff) and a Permissions-Policy."""

import logging
from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
# What django-csp's decorators leave on a response that wants a policy of its own.
VIEW_POLICY_ATTRIBUTES = (
    "_csp_exempt",
    "_csp_exempt_ro",
    "_csp_config",
    "_csp_config_ro",
    "_csp_update",
    "_csp_update_ro",
    "_csp_replace",
    "_csp_replace_ro",
)

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

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict[bool, str] = {}

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The two policies never change while the site runs: build each once, not per response,
        # unless a view asked for something of its own (or a nonce, or report-only, or debug).
        special = (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None)
            or any(hasattr(response, name) for name in VIEW_POLICY_ATTRIBUTES)
        )
        if special:
            return super().process_response(request, response)
        if HEADER not in response:
            staff = request.path.startswith(STAFF_PATHS)
            if staff not in self._built:
                parts = self.get_policy_parts(request, response)
                self._built[staff] = build_policy(**asdict(parts))
            response[HEADER] = self._built[staff]
        return response

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
