"""The article editor's own endpoints: the preview frame, the live writing checks and what its
Insert menus offer."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from markdownx.views import MarkdownifyView

from . import includes, markdown
from .models import Article, Block, Risk
from .permissions import article_editor_only
from .writing import BOX_PLACEHOLDER, check_writing

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


# The callout boxes the Insert menu offers: the kind the renderer knows (markdown.CALLOUT_TYPES),
# what staff call it, and a heading that reads well if it is kept.
CALLOUTS = (
    ("note", "Information", "Good to know"),
    ("warning", "Warning", "Before your treatment"),
    ("danger", "Urgent", "Get help now"),
)


def callout_text(kind: str, heading: str) -> str:
    """A callout box as the renderer reads it: its text indented by four spaces."""
    return f'!!! {kind} "{heading}"\n    {BOX_PLACEHOLDER}'


def link_text(title: str) -> str:
    return includes.LINK_TEXT_SPECIAL.sub(r"\\\g<0>", title)


def insert_choices() -> dict[str, list[dict]]:
    """Everything the Insert menus offer, each with the exact text it puts in the body
    (``text``) and, where there is one, the part to select so it can be typed over
    (``select``)."""
    articles = []
    for article in Article.objects.order_by("title").only("title", "slug", "status"):
        shown = link_text(article.title)
        label = article.title
        if article.status == Article.Status.DRAFT:
            label += " (draft: patients cannot see it yet)"
        articles.append(
            {"label": label, "text": f"[{shown}]({article.get_absolute_url()})", "select": shown}
        )
    return {
        "blocks": [
            {"label": f"{block.title} ({block.name})", "text": block.marker}
            for block in Block.objects.order_by("title").only("name", "title")
        ],
        "callouts": [
            {"label": label, "text": callout_text(kind, heading), "select": BOX_PLACEHOLDER}
            for kind, label, heading in CALLOUTS
        ],
        "articles": articles,
        "risks": [
            {
                "label": f"{risk.key}: {risk.event} ({risk.count:,} in {risk.total:,} {risk.of})",
                "words": risk.marker,
                "picture": risk.picture_marker,
            }
            for risk in Risk.objects.order_by("key")
        ],
        "drawings": [
            {"label": name.replace("-", " ").capitalize(), "text": f"[[figure:{name}]]"}
            for name in markdown.figure_names()
        ],
    }


@article_editor_only
@never_cache
@require_GET
def choices(request: HttpRequest) -> JsonResponse:
    """What the editor's Insert menus offer: blocks, callout boxes, articles to link to, risk
    figures and drawings."""
    return JsonResponse(insert_choices())


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
