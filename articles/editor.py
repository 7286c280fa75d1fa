"""The article editor's own endpoints: the preview frame and the live writing checks."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from markdownx.views import MarkdownifyView

from . import markdown
from .permissions import article_editor_only
from .writing import check_writing

# The frame is filled by the editor page and shows the article under the public pages' policy:
# nothing runs in it, a picture from another site is missing as it is for patients, and only a
# page of this site may frame it.
FRAME_POLICY = (
    "default-src 'none'; script-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'; img-src 'self'; style-src 'self'"
)


@article_editor_only
@never_cache
@require_GET
@xframe_options_sameorigin
def frame(request: HttpRequest) -> HttpResponse:
    """An empty article page with the site's stylesheet, for the editor's preview to fill."""
    response = render(request, "editor/frame.html")
    response["Content-Security-Policy"] = FRAME_POLICY
    return response


@article_editor_only
@never_cache
@require_POST
def checks(request: HttpRequest) -> JsonResponse:
    """The body (field ``content``, as django-markdownx sends it) as patients will see it, with
    how it reads and what would hurt them."""
    body = markdown.unix_line_ends(request.POST.get("content", ""))
    try:
        rendered = markdown.render(body)
    except markdown.RenderError as refused:
        return JsonResponse({"content": refused.messages}, status=400)
    report = check_writing(body, rendered)
    return JsonResponse(
        {
            "html": rendered.html,
            "grade": report.grade,
            "smog": report.smog,
            "words": report.words,
            "minutes": report.minutes,
            "warnings": report.warnings,
        }
    )


class PreviewView(MarkdownifyView):
    """django-markdownx's preview, answering a text the renderer refuses with 400 and the
    reason (its own view would answer 500)."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponse("Send the text as 'content'.", status=400)
        try:
            return super().post(request, *args, **kwargs)
        except markdown.RenderError as refused:
            return HttpResponse(
                " ".join(refused.messages), status=400, content_type="text/plain; charset=utf-8"
            )
