"""Every staff door, for every role: who is let in, who is sent to log in, who is refused. A
refused door changes nothing (no row, no version, no log entry, no picture, and the public pages'
cache stays as it was) and sends no email. A new staff door fails
test_the_table_has_a_row_for_every_staff_door until it has its row here."""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import reversion
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles import pagecache, patienttext
from articles.models import (
    Article,
    Block,
    ClinicDetails,
    Feedback,
    Reference,
    Risk,
    Subscriber,
    Tag,
)
from articles.permissions import EDITOR_GROUP, EDITOR_GROUP_PERMISSIONS
from articles.uploads import ALT_PLACEHOLDER

from .conftest import article_form, started_from

pytestmark = pytest.mark.django_db

# What a role meets at a door:
LOGIN = "login"  # 302 to the admin login page, with ?next= the door
DENIED = "denied"  # 403
READ = "read"  # 200: the form, read-only (no save button)
OPEN = "open"  # the door's own answer (Door.goes_to, else 200); a door that writes has written
# At an admin action, posted from the list page as its form posts it:
RUNS = "runs"  # offered in the list's action menu, and posting it does it
HIDDEN = "hidden"  # not offered; posted anyway: 302 back to the list, "No action selected."
NO_ACTIONS = "no actions"  # the list offers no action at all; posted anyway: the list, 200

ROLES = ("anonymous", "no permission", "view only", "writer", "editor", "superuser")

# fmt: off
TABLE = {
    #                                        anonymous no perm. view only   writer  editor  superuser
    "article list":                         (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "article add form":                     (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "article change form GET":              (LOGIN,   DENIED,   READ,       OPEN,   OPEN,   OPEN),
    "article change form POST":             (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "article delete page":                  (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "article History":                      (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "article History restore GET":          (LOGIN,   DENIED,   READ,       OPEN,   OPEN,   OPEN),
    "article History restore POST":         (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "article compare versions":             (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "article sign-off GET":                 (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "article sign-off POST":                (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "article recover list":                 (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "article recover GET":                  (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "article recover POST":                 (LOGIN,   DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "action: publish":                      (LOGIN,   DENIED,   NO_ACTIONS, RUNS,   RUNS,   RUNS),
    "action: unpublish":                    (LOGIN,   DENIED,   NO_ACTIONS, RUNS,   RUNS,   RUNS),
    "action: mark reviewed today":          (LOGIN,   DENIED,   NO_ACTIONS, RUNS,   RUNS,   RUNS),
    "action: email subscribers":            (LOGIN,   DENIED,   NO_ACTIONS, HIDDEN, RUNS,   RUNS),
    "email subscribers: the email, to whom": (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "email subscribers: a test to me":      (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "email subscribers: send":              (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "action: delete selected articles":     (LOGIN,   DENIED,   NO_ACTIONS, HIDDEN, RUNS,   RUNS),
    "action: export subscribers to CSV":    (LOGIN,   DENIED,   RUNS,       RUNS,   RUNS,   RUNS),
    "action: export feedback to CSV":       (LOGIN,   DENIED,   RUNS,       RUNS,   RUNS,   RUNS),
    "block list":                           (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "block add form":                       (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "block change form GET":                (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "block change form POST":               (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "block delete page":                    (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "block History":                        (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "block History restore GET":            (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "block recover list":                   (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "block recover GET":                    (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "reference list":                       (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "reference add form":                   (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "reference change form GET":            (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "reference change form POST":           (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "reference delete page":                (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "reference History":                    (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "reference History restore GET":        (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "reference recover list":               (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "reference recover GET":                (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "risk list":                            (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "risk add form":                        (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "risk change form GET":                 (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "risk change form POST":                (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "risk delete page":                     (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "risk History":                         (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "risk History restore GET":             (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "risk recover list":                    (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "risk recover GET":                     (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "tag list":                             (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "tag add form":                         (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "tag change form GET":                  (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "tag delete page":                      (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "tag History":                          (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "clinic details list":                  (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "clinic details list, none yet":        (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "clinic details add form, none yet":    (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "clinic details add form":              (LOGIN,   DENIED,   DENIED,     DENIED, DENIED, DENIED),
    "clinic details change form GET":       (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "clinic details change form POST":      (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "clinic details delete page":           (LOGIN,   DENIED,   DENIED,     DENIED, DENIED, DENIED),
    "clinic details History":               (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "subscriber list":                      (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "subscriber add form":                  (LOGIN,   DENIED,   DENIED,     DENIED, DENIED, DENIED),
    "subscriber change form GET":           (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "subscriber change form POST":          (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "subscriber History":                   (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "subscriber data download":             (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "subscriber delete page":               (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "subscriber delete POST":               (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "feedback list":                        (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "feedback add form":                    (LOGIN,   DENIED,   DENIED,     DENIED, DENIED, DENIED),
    "feedback change form GET":             (LOGIN,   DENIED,   READ,       READ,   OPEN,   OPEN),
    "feedback delete page":                 (LOGIN,   DENIED,   DENIED,     DENIED, OPEN,   OPEN),
    "feedback History":                     (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "draft preview":                        (LOGIN,   DENIED,   OPEN,       OPEN,   OPEN,   OPEN),
    "editor: picture upload":               (DENIED,  DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "editor: markdownify preview":          (DENIED,  DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "editor: preview frame":                (DENIED,  DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "editor: live checks":                  (DENIED,  DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
    "editor: insert menus":                 (DENIED,  DENIED,   DENIED,     OPEN,   OPEN,   OPEN),
}
# fmt: on

# Django's own admin pages, and the admin of user accounts and of login attempts (django-axes),
# which no clinic role is given: deliberately not in the table.
OUT_OF_SCOPE = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    "admin:auth_user_password_change",
    *(
        f"admin:{model}_{view}"
        for model in (
            "auth_user",
            "auth_group",
            "axes_accessattempt",
            "axes_accesslog",
            "axes_accessfailurelog",
        )
        for view in ("changelist", "add", "change", "delete", "history")
    ),
}
# The public site's pages: every visitor may use them.
PUBLIC = {
    "home",
    "articles:list",
    "articles:detail",
    "articles:feedback",
    "articles:comment",
    "search",
    "subscribe",
    "subscribe-check",
    "subscribe-sent",
    "subscribe-confirm",
    "unsubscribe",
    "feed",
    "sitemap",
    "healthz",
    "privacy",
    "robots",
    "media",
}

LONG_AGO = dt.date(2025, 1, 15)
CLINICIAN = {
    "name": "Sam Patel",
    "profession": "Physiotherapist",
    "registration": "PH123456",
    "confirm": "on",
}


@dataclass
class Site:
    """What the doors open onto: one of everything, with old versions to restore and deleted
    things to recover."""

    article: Article  # published; saved as "Aftercare", then as "Aftercare, revised"
    draft: Article
    block: Block  # saved twice, as the article was
    reference: Reference  # saved twice, as the article was
    risk: Risk  # saved twice, as the article was
    tag: Tag
    details: ClinicDetails
    subscriber: Subscriber  # confirmed
    feedback: Feedback

    def first_version(self, obj) -> Version:
        return Version.objects.get_for_object(obj).last()

    def deleted(self, model) -> Version:
        return Version.objects.get_deleted(model).get()


def kept(obj, **changes):
    """Save ``obj``, with ``changes``, as a version of its own."""
    for name, value in changes.items():
        setattr(obj, name, value)
    with reversion.create_revision():
        obj.save()
    return obj


def new_article(slug: str, title: str, **fields) -> Article:
    values = {
        "summary": "A summary.",
        "body": "Some words.",
        "reviewed": LONG_AGO,
        "status": Article.Status.PUBLISHED,
        **fields,
    }
    return Article.objects.create(slug=slug, title=title, **values)


def build_site() -> Site:
    article = kept(new_article("aftercare", "Aftercare"))
    kept(article, title="Aftercare, revised")
    block = kept(Block(name="urgent-help", title="Urgent help", body="Call 999."))
    kept(block, title="Urgent help, revised")
    reference = kept(Reference(key="gattie2017", title="A review"))
    kept(reference, title="A review, revised")
    kept(new_article("old-advice", "Old advice")).delete()
    kept(Block(name="old-block", title="Old block", body="Old words.")).delete()
    kept(Reference(key="old2001", title="An old study")).delete()
    risk = kept(Risk(key="bruising", event="a bruise", count=8, total=100, source=reference))
    kept(risk, event="a bruise, revised")
    kept(Risk(key="old-risk", event="an old event", count=1, total=10, source=reference)).delete()
    details = ClinicDetails(
        name="Riverside Physio", phone="01234 567 890", address="1 High St", opening_hours="9-5"
    )
    details.save()
    signed_up = timezone.now() - dt.timedelta(days=30)
    subscriber = Subscriber.objects.create(
        email="jo@example.org",
        key="jo",
        status=Subscriber.Status.CONFIRMED,
        consent_wording_version="2026-11",
        consent_given_at=signed_up,
        consent_page="/articles/aftercare/",
        confirmation_sent_at=signed_up,
        confirmed_at=signed_up,
    )
    return Site(
        article=article,
        draft=new_article("needle-fear", "Needle fear", status=Article.Status.DRAFT),
        block=block,
        reference=reference,
        risk=risk,
        tag=Tag.objects.create(name="knee"),
        details=details,
        subscriber=subscriber,
        feedback=Feedback.objects.create(article=article, helpful=True, comment="Clear."),
    )


def make_role(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "superuser":
        return User.objects.create_superuser(
            "boss", email="boss@clinic.example", password="a-long-password-1"
        )
    user = User.objects.create_user(
        role,
        email=f"{role.replace(' ', '-')}@clinic.example",
        password="a-long-password-1",
        is_staff=True,
    )
    app = Permission.objects.filter(content_type__app_label="articles")
    viewing = Q(codename__startswith="view_")
    if role == "view only":
        user.user_permissions.set(app.filter(viewing))
    elif role == "writer":
        writing = Q(codename__in=["add_article", "change_article"])
        user.user_permissions.set(app.filter(viewing | writing))
    elif role == "editor":
        user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    return user


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The site and a user for each role, made once for the module; each test still runs in a
    transaction of its own inside this one, and everything is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_site(), {role: make_role(role) for role in ROLES}
        transaction.set_rollback(True)


@pytest.fixture
def site(built, db) -> Site:
    return built[0]


@pytest.fixture
def users(built, db) -> dict[str, User | None]:
    return built[1]


@dataclass(frozen=True)
class Door:
    url_name: str  # what the door is reached by, for the census of doors
    path: Callable[[Site], str]
    method: str = "get"
    data: Callable[[Site], dict] = lambda site: {}
    # Where an open door sends the browser (302); None: it answers 200.
    goes_to: Callable[[Site], str] | None = None
    # What shows that an open door did its work (for one that writes: that it wrote).
    done: Callable[[Site, object], bool] = lambda site, response: True
    action: str | None = None  # an admin action, posted to the list page at ``path``
    before: Callable[[Site], object] = lambda site: None  # sets the scene

    def knock(self, client, site: Site):
        return getattr(client, self.method)(self.path(site), self.data(site))


def fresh(obj):
    """``obj`` as the database holds it now; None once deleted."""
    return type(obj).objects.filter(pk=obj.pk).first()


def has_save_button(site, response) -> bool:
    return 'name="_save"' in response.content.decode()


def picture() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def model_doors(label: str, model: str, attribute: str) -> dict[str, Door]:
    """The doors every model's admin has: its list, add form, change form, delete page and
    History (``attribute``: the Site's object of that model)."""
    base = f"/admin/articles/{model}/"

    def one(path: str) -> Callable[[Site], str]:
        return lambda site: f"{base}{getattr(site, attribute).pk}/{path}"

    return {
        f"{label} list": Door(f"admin:articles_{model}_changelist", lambda site: base),
        f"{label} add form": Door(
            f"admin:articles_{model}_add", lambda site: f"{base}add/", done=has_save_button
        ),
        f"{label} change form GET": Door(
            f"admin:articles_{model}_change", one("change/"), done=has_save_button
        ),
        f"{label} delete page": Door(f"admin:articles_{model}_delete", one("delete/")),
        f"{label} History": Door(f"admin:articles_{model}_history", one("history/")),
    }


def change_form_post(model: str, attribute: str, data, done) -> Door:
    return Door(
        f"admin:articles_{model}_change",
        lambda site: f"/admin/articles/{model}/{getattr(site, attribute).pk}/change/",
        method="post",
        data=data,
        goes_to=lambda site: f"/admin/articles/{model}/",
        done=done,
    )


def restore_path(model: str) -> Callable[[Site], str]:
    """The History's restore page for the first version of the Site's object of ``model``."""

    def path(site: Site) -> str:
        obj = getattr(site, model)
        return f"/admin/articles/{model}/{obj.pk}/history/{site.first_version(obj).pk}/"

    return path


def history_doors(model: str, model_class, first_title: str, field: str = "title") -> dict:
    """The doors django-reversion adds: restore an old version (whose ``field`` was
    ``first_title``), and the deleted things to recover."""
    recover = f"/admin/articles/{model}/recover/"
    return {
        f"{model} History restore GET": Door(
            f"admin:articles_{model}_revision",
            restore_path(model),
            done=lambda site, response: (
                has_save_button(site, response)
                and response.context["adminform"].form.initial[field] == first_title
            ),
        ),
        f"{model} recover list": Door(f"admin:articles_{model}_recoverlist", lambda site: recover),
        f"{model} recover GET": Door(
            f"admin:articles_{model}_recover",
            lambda site: f"{recover}{site.deleted(model_class).pk}/",
            done=has_save_button,
        ),
    }


def action(
    name: str, model: str, attribute: str, done, download: bool = False, goes_to=None
) -> Door:
    """The action ``name``, posted from ``model``'s list for the Site's ``attribute``; it
    answers with a file (``download``), or sends the browser on to a page of its own
    (``goes_to``) or back to the list."""
    changelist = f"/admin/articles/{model}/"
    return Door(
        f"admin:articles_{model}_changelist",
        lambda site: changelist,
        method="post",
        data=lambda site: {
            "action": name,
            "_selected_action": [getattr(site, attribute).pk],
            "index": "0",
            "post": "yes",  # delete_selected's confirmation page posts this
        },
        goes_to=None if download else (goes_to or (lambda site: changelist)),
        done=done,
        action=name,
    )


def email_page(site: Site) -> str:
    return f"/admin/articles/article/email-subscribers/?ids={site.article.pk}"


def downloaded(filename_start: str, text: str):
    def done(site, response) -> bool:
        content = b"".join(response.streaming_content).decode()
        disposition = response["Content-Disposition"]
        return disposition.startswith(f'attachment; filename="{filename_start}') and text in content

    return done


DOORS = {
    **model_doors("article", "article", "article"),
    "article change form POST": change_form_post(
        "article",
        "article",
        lambda site: article_form(site.article, title="Aftercare, edited"),
        lambda site, response: fresh(site.article).title == "Aftercare, edited",
    ),
    **history_doors("article", Article, "Aftercare"),
    "article History restore POST": Door(
        "admin:articles_article_revision",
        restore_path("article"),
        method="post",
        data=lambda site: article_form(site.article, title="Aftercare"),
        goes_to=lambda site: "/admin/articles/article/",
        done=lambda site, response: fresh(site.article).title == "Aftercare",
    ),
    "article compare versions": Door(
        "admin:articles_article_compare",
        lambda site: (
            f"/admin/articles/article/{site.article.pk}/history/compare/"
            f"?from={site.first_version(site.article).pk}"
            f"&to={Version.objects.get_for_object(site.article).first().pk}"
        ),
        done=lambda site, response: [c.label for c in response.context["changes"]] == ["title"],
    ),
    "article sign-off GET": Door(
        "admin:articles_article_sign_off",
        lambda site: f"/admin/articles/article/{site.article.pk}/sign-off/",
    ),
    "article sign-off POST": Door(
        "admin:articles_article_sign_off",
        lambda site: f"/admin/articles/article/{site.article.pk}/sign-off/",
        method="post",
        # The checksum of the text the sign-off page showed.
        data=lambda site: {
            **CLINICIAN,
            "checksum": patienttext.checksum(patienttext.of_article(site.article)),
        },
        goes_to=lambda site: f"/admin/articles/article/{site.article.pk}/change/",
        done=lambda site, response: fresh(site.article).is_signed_off,
    ),
    "article recover POST": Door(
        "admin:articles_article_recover",
        lambda site: f"/admin/articles/article/recover/{site.deleted(Article).pk}/",
        method="post",
        data=lambda site: {
            **article_form(site.draft, slug="old-advice", title="Old advice, back"),
            "status": Article.Status.DRAFT,
        },
        goes_to=lambda site: "/admin/articles/article/",
        done=lambda site, response: Article.objects.filter(title="Old advice, back").exists(),
    ),
    "action: publish": action(
        "publish",
        "article",
        "draft",
        lambda site, response: fresh(site.draft).status == Article.Status.PUBLISHED,
    ),
    "action: unpublish": action(
        "unpublish",
        "article",
        "article",
        lambda site, response: fresh(site.article).status == Article.Status.DRAFT,
    ),
    "action: mark reviewed today": action(
        "mark_reviewed_today",
        "article",
        "article",
        lambda site, response: fresh(site.article).reviewed == timezone.localdate(),
    ),
    # The action only opens the page that shows the email: nothing is sent until its last step.
    "action: email subscribers": action(
        "email_subscribers",
        "article",
        "article",
        lambda site, response: mail.outbox == [],
        goes_to=lambda site: email_page(site),
    ),
    "email subscribers: the email, to whom": Door(
        "admin:articles_article_email_subscribers",
        email_page,
        done=lambda site, response: response.context["count"] == 1 and mail.outbox == [],
    ),
    "email subscribers: a test to me": Door(
        "admin:articles_article_email_subscribers",
        email_page,
        method="post",
        data=lambda site: {"test": "Send a test to me"},
        goes_to=email_page,
        done=lambda site, response: (
            [m.to for m in mail.outbox] == [[response.wsgi_request.user.email]]
        ),
    ),
    "email subscribers: send": Door(
        "admin:articles_article_email_subscribers",
        email_page,
        method="post",
        data=lambda site: {"send": "Send to 1 subscriber"},
        goes_to=lambda site: "/admin/articles/article/",
        done=lambda site, response: [m.to for m in mail.outbox] == [["jo@example.org"]],
    ),
    "action: delete selected articles": action(
        "delete_selected", "article", "article", lambda site, response: fresh(site.article) is None
    ),
    "action: export subscribers to CSV": action(
        "export_csv",
        "subscriber",
        "subscriber",
        downloaded("subscribers-", "jo@example.org"),
        download=True,
    ),
    "action: export feedback to CSV": action(
        "export_csv", "feedback", "feedback", downloaded("feedback-", "Clear."), download=True
    ),
    **model_doors("block", "block", "block"),
    "block change form POST": change_form_post(
        "block",
        "block",
        lambda site: {
            **started_from(site.block),
            "title": "Urgent help, edited",
            "name": "urgent-help",
            "body": "Call 999.",
        },
        lambda site, response: fresh(site.block).title == "Urgent help, edited",
    ),
    **history_doors("block", Block, "Urgent help"),
    **model_doors("reference", "reference", "reference"),
    "reference change form POST": change_form_post(
        "reference",
        "reference",
        lambda site: {
            **started_from(site.reference),
            "key": "gattie2017",
            "title": "A review, edited",
            "authors": "",
            "year": "",
        },
        lambda site, response: fresh(site.reference).title == "A review, edited",
    ),
    **history_doors("reference", Reference, "A review"),
    **model_doors("risk", "risk", "risk"),
    "risk change form POST": change_form_post(
        "risk",
        "risk",
        lambda site: {
            **started_from(site.risk),
            "key": "bruising",
            "event": "a bruise, edited",
            "count": "8",
            "total": "100",
            "of": "treatments",
            "source": "gattie2017",
        },
        lambda site, response: fresh(site.risk).event == "a bruise, edited",
    ),
    **history_doors("risk", Risk, "a bruise", field="event"),
    **model_doors("tag", "tag", "tag"),
    **model_doors("clinic details", "clinicdetails", "details"),
    # There is one set of details: the list opens its form.
    "clinic details list": Door(
        "admin:articles_clinicdetails_changelist",
        lambda site: "/admin/articles/clinicdetails/",
        goes_to=lambda site: f"/admin/articles/clinicdetails/{site.details.pk}/change/",
    ),
    # Made (with the placeholders every page shows until then) for someone who may add it.
    "clinic details list, none yet": Door(
        "admin:articles_clinicdetails_changelist",
        lambda site: "/admin/articles/clinicdetails/",
        goes_to=lambda site: "/admin/articles/clinicdetails/1/change/",
        done=lambda site, response: ClinicDetails.objects.get().name == "[Clinic name]",
        before=lambda site: ClinicDetails.objects.all().delete(),
    ),
    "clinic details add form, none yet": Door(
        "admin:articles_clinicdetails_add",
        lambda site: "/admin/articles/clinicdetails/add/",
        done=has_save_button,
        before=lambda site: ClinicDetails.objects.all().delete(),
    ),
    "clinic details change form POST": change_form_post(
        "clinicdetails",
        "details",
        lambda site: {
            **started_from(site.details),
            "name": "Riverside Physio",
            "phone": "01234 000 000",
            "email": "",
            "address": "1 High St",
            "opening_hours": "9-5",
            "booking_url": "",
        },
        lambda site, response: fresh(site.details).phone == "01234 000 000",
    ),
    **model_doors("subscriber", "subscriber", "subscriber"),
    "subscriber change form POST": change_form_post(
        "subscriber",
        "subscriber",
        lambda site: {},
        # Every field is read-only: saving only records that staff saved it.
        lambda site, response: LogEntry.objects.filter(
            object_id=str(site.subscriber.pk), action_flag=CHANGE
        ).exists(),
    ),
    "subscriber data download": Door(
        "admin:articles_subscriber_data",
        lambda site: f"/admin/articles/subscriber/{site.subscriber.pk}/data/",
        done=lambda site, response: (
            response["Content-Disposition"]
            == f'attachment; filename="subscriber-{site.subscriber.pk}.txt"'
            and "Email address: jo@example.org" in response.content.decode()
        ),
    ),
    "subscriber delete POST": Door(
        "admin:articles_subscriber_delete",
        lambda site: f"/admin/articles/subscriber/{site.subscriber.pk}/delete/",
        method="post",
        data=lambda site: {"post": "yes"},
        goes_to=lambda site: "/admin/articles/subscriber/",
        done=lambda site, response: fresh(site.subscriber) is None,
    ),
    **model_doors("feedback", "feedback", "feedback"),
    "draft preview": Door(
        "articles:preview",
        lambda site: f"/articles/{site.draft.slug}/preview/",
        done=lambda site, response: response.context["article"] == site.draft,
    ),
    "editor: picture upload": Door(
        "markdownx_upload",
        lambda site: "/markdownx/upload/",
        method="post",
        data=lambda site: {"image": picture()},
        done=lambda site, response: response.json()["image_code"].startswith(
            f"![{ALT_PLACEHOLDER}]("
        ),
    ),
    "editor: markdownify preview": Door(
        "markdownx_markdownify",
        lambda site: "/markdownx/markdownify/",
        method="post",
        data=lambda site: {"content": "Some words."},
        done=lambda site, response: response.content == b"<p>Some words.</p>",
    ),
    "editor: preview frame": Door("editor-frame", lambda site: "/editor/frame/"),
    "editor: live checks": Door(
        "editor-checks",
        lambda site: "/editor/checks/",
        method="post",
        data=lambda site: {"content": "Some words."},
        done=lambda site, response: response.json()["words"] == 2,
    ),
    "editor: insert menus": Door(
        "editor-choices",
        lambda site: "/editor/choices/",
        done=lambda site, response: (
            response.json()["blocks"]
            == [{"label": "Urgent help, revised (urgent-help)", "text": "[[block:urgent-help]]"}]
        ),
    ),
}


def login_page(path: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = path
    return f"/admin/login/?{query.urlencode(safe='/')}"


def stored_pictures() -> list[str]:
    return default_storage.listdir("uploads")[1] if default_storage.exists("uploads") else []


def snapshot() -> dict:
    """Everything a door could change: every row of the app's tables, the saved versions, the
    admin's log, the stored pictures, and the public pages' cache."""
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("articles").get_models()
    }
    return {
        **rows,
        "article tags": list(Article.tags.through.objects.order_by("pk").values()),
        "versions": list(Version.objects.order_by("pk").values_list("pk", flat=True)),
        "log entries": LogEntry.objects.count(),
        "pictures": stored_pictures(),
        "page cache": cache.get(pagecache.VERSION_KEY),
    }


def offered_actions(client, changelist: str) -> list[str]:
    response = client.get(changelist)
    if response.status_code == 302:  # the clinic details' list opens its one form
        return []
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices if name]


CASES = [
    pytest.param(door, role, outcome, id=f"{door} | {role}")
    for door, outcomes in TABLE.items()
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


@pytest.mark.parametrize(("name", "role", "outcome"), CASES)
def test_each_role_meets_at_each_door_what_the_table_says(client, site, users, name, role, outcome):
    door = DOORS[name]
    door.before(site)
    path = door.path(site)
    assert resolve(urlsplit(path).path).view_name == door.url_name
    if users[role]:
        client.force_login(users[role])
    if door.action and outcome in (RUNS, HIDDEN, NO_ACTIONS):
        offered = offered_actions(client, path)
        assert (door.action in offered) == (outcome == RUNS)
        assert bool(offered) == (outcome != NO_ACTIONS)
    if outcome in (OPEN, RUNS):
        response = door.knock(client, site)

        if door.goes_to:
            assert (response.status_code, response["Location"]) == (302, door.goes_to(site))
        else:
            assert response.status_code == 200
        assert door.done(site, response)
        return
    # Refused: nothing changes, not even the public pages' cache.
    pagecache.bump_version()
    before = snapshot()

    response = door.knock(client, site)

    expected = {
        LOGIN: (302, login_page(path)),
        DENIED: (403, None),
        READ: (200, None),
        HIDDEN: (302, path),
        NO_ACTIONS: (200, None),
    }[outcome]
    assert (response.status_code, response.get("Location")) == expected
    if outcome == READ:
        assert not has_save_button(site, response)
    if outcome == HIDDEN:
        assert [str(m) for m in get_messages(response.wsgi_request)] == ["No action selected."]
    assert snapshot() == before
    assert mail.outbox == []


def url_names(patterns, namespace: str = "") -> set[str]:
    """The name of every pattern, walking included ones; "(unnamed) <route>" for one with none."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        else:
            names.add(namespace + (pattern.name or f"(unnamed) {pattern.pattern}"))
    return names


def test_the_table_has_a_row_for_every_staff_door():
    admin_site = url_names(admin.site.get_urls(), "admin:")
    outside_admin = {
        name for name in url_names(get_resolver().url_patterns) if not name.startswith("admin:")
    }
    # A door with no name would escape this census: the admin's only unnamed patterns are its
    # own, the old address of each change form and the catch-all that answers 404.
    unnamed = {"admin:(unnamed) <path:object_id>/", "admin:(unnamed) (?P<url>.*)$"}

    assert admin_site - unnamed - OUT_OF_SCOPE | outside_admin - PUBLIC == {
        door.url_name for door in DOORS.values()
    }
    assert TABLE.keys() == DOORS.keys()


def test_every_admin_action_names_the_permission_it_needs():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    undeclared = [
        f"{model.__name__}: {name}"
        for model, model_admin in admin.site._registry.items()
        for name, (function, _, _) in model_admin.get_actions(request).items()
        if not getattr(function, "allowed_permissions", ())
    ]

    # django-axes' own action declares nothing, but it deletes only lockouts that have already
    # run out (as every login does anyway), and no clinic role may see the login attempts.
    assert undeclared == ["AccessAttempt: cleanup_expired_attempts"]


def test_a_view_only_member_of_staff_is_offered_no_action_that_changes_anything(client, users):
    client.force_login(users["view only"])

    offered = {
        model._meta.model_name: offered_actions(
            client, f"/admin/articles/{model._meta.model_name}/"
        )
        for model in admin.site._registry
        if model._meta.app_label == "articles"
    }

    assert {model: names for model, names in offered.items() if names} == {
        "subscriber": ["export_csv"],
        "feedback": ["export_csv"],
    }


def test_the_editor_group_has_every_permission_its_list_names():
    group = Group.objects.get(name=EDITOR_GROUP)
    listed = sum(len(actions) for actions in EDITOR_GROUP_PERMISSIONS.values())

    assert group.permissions.count() == listed
    assert group.permissions.filter(codename="email_subscribers").exists()
