from datetime import UTC, datetime

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.db import DatabaseError, connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.static import serve

from . import ratelimit, search, searchwords, subscriptions, tokens, uploads
from .forms import FeedbackCommentForm, FeedbackForm, SubscribeForm
from .models import Article, Feedback
from .models.feedback import mask_personal_data
from .permissions import article_editor_only

SIGNUPS_PER_HOUR = 10
FEEDBACK_PER_HOUR = 20
COMMENT_SALT = "articles.feedback.comment"
SIGNUP_IDS = "signup-%s"
# The "check your email" page's memory of the sign-up it answers (``sent_page_for``).
SENT_COOKIE = "signup_answer"
SENT_SALT = "articles.subscribe.sent"
SENT_COOKIE_SECONDS = 15 * 60

LATEST_COUNT = 5


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published()
        return super().get_context_data(
            guide=published.in_guide_order(),
            # The guide lists its own articles; the rest are here, newest first.
            latest=published.filter(order__isnull=True).newest_first()[:LATEST_COUNT],
            **kwargs,
        )


class ArticleListView(ListView):
    def get_queryset(self):
        # Built per request: published() compares with the current time.
        return Article.objects.published().order_by(F("order").asc(nulls_last=True), "title")


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return Article.objects.published()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            neighbours=self.object.neighbours(), feedback_form=FeedbackForm(), **kwargs
        )


@method_decorator(staff_member_required, name="dispatch")
@method_decorator(
    permission_required("articles.view_article", raise_exception=True), name="dispatch"
)
@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """Any article, draft or scheduled, as patients will see it: for staff only."""

    def get_queryset(self):
        return Article.objects.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class SearchView(TemplateView):
    """Search as patients ask (see articles/search.py). The page depends only on the query as
    search reads it, so the page cache keeps one page per normalised query."""

    template_name = "articles/search.html"
    shown = 20

    def get_context_data(self, **kwargs):
        query = searchwords.normalise(self.request.GET.get("q", ""))
        found = suggested = None
        if query:
            published = Article.objects.published()
            found = search.find(published, query, shown=self.shown)
            if not found.results:
                suggested = search.suggestions(published)
        return super().get_context_data(query=query, found=found, suggested=suggested, **kwargs)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the site and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class SubscribeView(FormView):
    """GET: the sign-up form. POST: sign up; every outcome looks the same from outside."""

    template_name = "subscribe/subscribe.html"
    form_class = SubscribeForm

    def get_initial(self):
        return {"page": self.request.path}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": SIGNUP_IDS}

    def post(self, request, *args, **kwargs):
        if not ratelimit.allow(
            "signup:" + ratelimit.counted_address(request), SIGNUPS_PER_HOUR, 3600
        ):
            return too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if form.is_robot:
            return sent_page_for(data["email"], data["page"])
        answer = subscriptions.sign_up(data["email"], data["page"])
        if answer.held_until is not None:
            return sent_page_for(data["email"], data["page"], answer.held_until)
        if not answer.sent:
            context = self.get_context_data(form=form, send_failed=True)
            return self.render_to_response(context, status=503)
        return sent_page_for(data["email"], data["page"])


def sent_page_for(email: str, page: str, held_until: datetime | None = None) -> HttpResponse:
    """Off to the "check your email" page, which shows the address the email went to (so a typo
    can be spotted) and, when none was sent, why and when to try again. The address travels in a
    signed cookie that only that page is sent, never in its address; the page is never cached."""
    response = redirect("subscribe-sent")
    answer = {"email": email, "page": page}
    if held_until is not None:
        answer["held_until"] = held_until.timestamp()
    response.set_cookie(
        SENT_COOKIE,
        signing.dumps(answer, salt=SENT_SALT),
        max_age=SENT_COOKIE_SECONDS,
        path=reverse("subscribe-sent"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@method_decorator(never_cache, name="dispatch")
class SentView(TemplateView):
    """The "check your email" page: with the address and what became of the sign-up when the
    visitor's browser has just been sent here (``sent_page_for``), in general terms otherwise."""

    template_name = "subscribe/sent.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            answer = signing.loads(
                self.request.COOKIES.get(SENT_COOKIE, ""),
                salt=SENT_SALT,
                max_age=SENT_COOKIE_SECONDS,
            )
        except signing.BadSignature:
            return context
        context["email"] = answer["email"]
        context["page"] = answer["page"]
        if "held_until" in answer:
            context["held_until"] = datetime.fromtimestamp(answer["held_until"], tz=UTC)
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        return response


@method_decorator(csrf_exempt, name="dispatch")
class SubscribeCheckView(View):
    """Target of the footer form on cached pages, which carry no CSRF token. It stores and sends
    nothing: it shows the sign-up form again, filled in, with a token, to be sent from there."""

    def post(self, request):
        form = SubscribeForm(request.POST, auto_id=SIGNUP_IDS)
        form.is_valid()
        return render(request, "subscribe/subscribe.html", {"form": form, "checking": True})


@method_decorator(never_cache, name="dispatch")
class SignedLinkView(View):
    """GET shows a button (mail scanners that follow links change nothing); POST acts. Never
    cached: the pages show the subscriber's address."""

    template_name = ""
    done_template = ""

    def find(self, token):
        raise NotImplementedError

    def act(self, subscriber):
        raise NotImplementedError

    def dispatch(self, request, token):
        try:
            self.subscriber = self.find(token)
        except tokens.ExpiredLinkError:
            return render(request, "subscribe/link_invalid.html", {"expired": True}, status=410)
        except tokens.UsedLinkError:
            return render(request, "subscribe/link_invalid.html", {"used": True}, status=410)
        except tokens.InvalidLinkError:
            return render(request, "subscribe/link_invalid.html", status=404)
        return super().dispatch(request, token)

    def get(self, request, token):
        return render(request, self.template_name, {"subscriber": self.subscriber})

    def post(self, request, token):
        self.act(self.subscriber)
        return render(request, self.done_template, {"subscriber": self.subscriber})


class ConfirmView(SignedLinkView):
    template_name = "subscribe/confirm.html"
    done_template = "subscribe/confirmed.html"
    find = staticmethod(tokens.subscriber_to_confirm)
    act = staticmethod(subscriptions.confirm)


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(SignedLinkView):
    """Also the RFC 8058 one-click target: mail programs POST here with no cookie or token."""

    template_name = "subscribe/unsubscribe.html"
    done_template = "subscribe/unsubscribed.html"
    find = staticmethod(tokens.subscriber_to_unsubscribe)
    act = staticmethod(subscriptions.unsubscribe)


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class FeedbackView(View):
    """ "Was this page helpful?" from a cached article page, which carries no CSRF token: it
    records the answer (nothing about the reader) and offers a comment box, with a token."""

    def post(self, request, slug):
        article = get_object_or_404(Article.objects.published(), slug=slug)
        if not ratelimit.allow(
            "feedback:" + ratelimit.counted_address(request), FEEDBACK_PER_HOUR, 3600
        ):
            return too_many(request)
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return redirect(article.get_absolute_url() + "#feedback-heading")
        token = ""
        if not form.is_robot:
            answer = Feedback.objects.create(article=article, helpful=form.cleaned_data["helpful"])
            token = signing.dumps(answer.pk, salt=COMMENT_SALT)
        comment = FeedbackCommentForm(initial={"token": token})
        return render(request, "articles/feedback.html", {"article": article, "form": comment})


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class FeedbackCommentView(View):
    """The optional comment, added once to the answer it follows. The signed token of that answer
    (made by FeedbackView, good for an hour, for one comment) is what lets it in, not a CSRF token:
    a CSRF token needs a cookie, which readers are promised they never get, and would guard nothing
    here, as a comment acts for no one and anybody may answer and comment."""

    def post(self, request, slug):
        article = get_object_or_404(Article.objects.published(), slug=slug)
        form = FeedbackCommentForm(request.POST)
        if not form.is_valid():
            return render(request, "articles/feedback.html", {"article": article, "form": form})
        try:
            pk = signing.loads(form.cleaned_data["token"], salt=COMMENT_SALT, max_age=3600)
        except signing.BadSignature:
            pk = None
        # A robot's answer was never stored: it is thanked all the same.
        Feedback.objects.filter(pk=pk, article=article, comment="").update(
            comment=mask_personal_data(form.cleaned_data["comment"].strip())
        )
        return render(request, "articles/feedback.html", {"article": article, "done": True})


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(ratelimit.seconds_left(3600))
    return response


@article_editor_only
def upload_image(request: HttpRequest) -> JsonResponse:
    """The editor's picture upload, in the answer format django-markdownx's editor reads."""
    if request.method != "POST":
        return JsonResponse({"image": ["Send the picture with POST."]}, status=405)
    try:
        url = uploads.save_upload(request.FILES.get("image"))
    except uploads.UploadError as error:
        return JsonResponse({"image": [str(error)]}, status=400)
    return JsonResponse({"image_code": f"![{uploads.ALT_PLACEHOLDER}]({url})"})


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Pictures, whichever door they came through, as pictures.clean stored them (checked, turned
    upright, hidden data taken out, named after their real format). Sandboxed, so a file can
    never act as a page."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
