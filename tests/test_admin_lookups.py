"""The admin's lists answer only the filters they offer: a lookup typed into the address (a
regular expression over every article's text, a date no calendar has) is refused as Django
refuses a lookup it does not allow, a 400 or a redirect to the list with ?e=1, never a server
error and never a query that holds a worker. The list's own filters, search, sorting, pages and
date drill-down still work, and so does every link the project makes to a filtered list."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.db.models import CharField, TextField
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin.lookups import OwnFiltersOnly
from articles.models import ClinicDetails, Feedback, Tag
from articles.templatetags.clinic_admin import needs_attention

pytestmark = pytest.mark.django_db

LISTS = {model._meta.label: model for model in admin.site._registry}


def list_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def viewer(db) -> User:
    """A member of staff who may look at everything and change nothing."""
    user = User.objects.create_user("viewer", password="a-long-password-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture
def everything(make_article, make_subscriber, staff_user):
    """A row or two in every list, so that every filter and the date drill-down offer choices."""
    article = make_article("aftercare")
    article.tags.add(Tag.objects.create(name="Needling"))
    make_article("a-draft", status="draft")
    Feedback.objects.create(article=article, helpful=False, comment="Too short")
    Feedback.objects.create(article=article, helpful=True)
    make_subscriber("reader@example.org")
    make_subscriber("other@example.org", status="confirmed")
    ClinicDetails.objects.create(name="The clinic", phone="01234 567890")
    known = {"user_agent": "a browser", "ip_address": "192.0.2.1", "username": "editor"}
    known |= {"http_accept": "*/*", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**known, get_data="", post_data="", failures_since_start=2)
    AccessLog.objects.create(**known, logout_time=timezone.now())
    AccessFailureLog.objects.create(**known, locked_out=True)
    return article


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("boss", password="a-long-password-1"))
    return client


def refused(response) -> bool:
    """Refused the way Django refuses a lookup: 400, or back to the bare list with ?e=1."""
    return response.status_code == 400 or (
        response.status_code == 302 and response["Location"].endswith("?e=1")
    )


def a_text_field(model) -> str:
    return next(
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (CharField, TextField)) and field.name != "password"
    )


def test_every_admin_list_refuses_lookups_at_once():
    assert all(
        isinstance(model_admin, OwnFiltersOnly) for model_admin in admin.site._registry.values()
    )


def test_a_view_only_member_of_staff_cannot_search_article_text_with_a_regular_expression(
    client, viewer, everything
):
    client.force_login(viewer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/articles/article/", {"body__regex": "(a+)+$"})

    assert refused(response)
    assert not [query for query in queries if "(a+)+$" in str(query["sql"]) + str(query)]


@pytest.mark.parametrize("label", LISTS)
@pytest.mark.parametrize(
    "lookup",
    [
        lambda field: {f"{field}__regex": "(a+)+$"},
        lambda field: {f"{field}__iregex": "x"},
        lambda field: {f"{field}__startswith": "a"},
        lambda field: {f"{field}__exact": "a"},
        lambda field: {"pk__in": "1,2"},
        lambda field: {"id__gt": "0"},
    ],
    ids=["regex", "iregex", "startswith", "exact", "pk in", "id above"],
)
def test_no_list_answers_a_lookup_it_does_not_offer(superuser_client, everything, label, lookup):
    model = LISTS[label]

    response = superuser_client.get(list_url(model), lookup(a_text_field(model)))

    assert refused(response), response.status_code


def test_a_password_lookup_is_still_refused(superuser_client):
    response = superuser_client.get("/admin/auth/user/", {"password__startswith": "pbkdf2"})

    assert refused(response)


def test_a_lookup_through_a_filtered_relation_that_the_filter_does_not_use_is_refused(
    client, viewer, everything
):
    client.force_login(viewer)

    response = client.get("/admin/articles/article/", {"tags__name__regex": "(a+)+$"})

    assert refused(response)


def filter_links(content: str) -> set[str]:
    """Every address on the list page that keeps to the list (filters, drill-down, sorting)."""
    return {unescape(link) for link in re.findall(r'href="(\?[^"]*)"', content)}


def drill_down(link: str) -> bool:
    """Whether a link only narrows the list to a year, month or day."""
    keys = parse_qs(link[1:], keep_blank_values=True).keys()
    return bool(keys) and all(key.endswith(("__year", "__month", "__day")) for key in keys)


@pytest.mark.parametrize("label", LISTS)
def test_every_filter_date_and_sorting_link_a_list_offers_still_works(
    superuser_client, everything, label
):
    url = list_url(LISTS[label])
    waiting = filter_links(superuser_client.get(url).content.decode())
    seen = set()
    while waiting:
        link = waiting.pop()
        seen.add(link)
        response = superuser_client.get(url + link)
        assert response.status_code == 200, link
        if drill_down(link):  # follow the dates down to the days
            found = filter_links(response.content.decode())
            waiting |= {new for new in found if drill_down(new)} - seen

    model_admin = admin.site._registry[LISTS[label]]
    assert seen or not (model_admin.list_filter or model_admin.date_hierarchy)


@pytest.mark.parametrize(
    "query",
    [
        {"q": "aftercare"},
        {"o": "1"},
        {"o": "-2.1"},
        {"p": "1"},
        {"state": "published"},
        {"sign_off": "needed"},
        {"review": "overdue"},
        {"untouched": "90"},
        {"tags__id__exact": "1"},
        {"tags__isnull": "True"},
        {"state": "no such state"},
    ],
)
def test_the_article_list_still_answers_its_own_filters_for_a_viewer(
    client, viewer, everything, query
):
    client.force_login(viewer)

    assert client.get("/admin/articles/article/", query).status_code == 200


def test_the_links_the_site_makes_to_filtered_lists_still_work(client, viewer, everything):
    request = RequestFactory().get("/admin/")
    request.user = viewer
    links = [url for _, _, url in needs_attention({"request": request})["items"]]
    links.append(f"/admin/articles/feedback/?article__id__exact={everything.pk}")
    client.force_login(viewer)

    assert len(links) == 8
    assert {link: client.get(link).status_code for link in links} == dict.fromkeys(links, 200)


DATE_LISTS = [label for label, model in LISTS.items() if admin.site._registry[model].date_hierarchy]
OUT_OF_RANGE = [
    {"year": "99999999999"},
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "0"},
    {"year": "-1"},
    {"year": "2026", "month": "13"},
    {"year": "2026", "month": "0"},
    {"year": "2026", "month": "99999999999"},
    {"year": "2026", "month": "2", "day": "30"},
    {"year": "2026", "month": "1", "day": "0"},
    {"year": "2026", "month": "1", "day": "99999999999"},
    {"year": "twenty"},
    {"year": "2026", "month": "May"},
    {"year": "2026.5"},
    {"year": ""},
    {"month": "5"},
    {"day": "5"},
    {"month": "99999999999"},
]


@pytest.mark.parametrize("label", DATE_LISTS)
@pytest.mark.parametrize(
    "date", OUT_OF_RANGE, ids=["&".join(f"{k}={v}" for k, v in d.items()) for d in OUT_OF_RANGE]
)
def test_a_date_no_calendar_has_is_refused_not_a_server_error(
    superuser_client, everything, label, date
):
    model = LISTS[label]
    field = admin.site._registry[model].date_hierarchy

    response = superuser_client.get(
        list_url(model), {f"{field}__{part}": value for part, value in date.items()}
    )

    assert refused(response), response.status_code


@pytest.mark.parametrize("label", DATE_LISTS)
def test_a_real_day_month_and_year_still_narrow_the_list(superuser_client, everything, label):
    model = LISTS[label]
    field = admin.site._registry[model].date_hierarchy
    today = timezone.localdate()
    parts = {"year": today.year, "month": today.month, "day": today.day}

    for count in (1, 2, 3):
        query = {f"{field}__{part}": value for part, value in list(parts.items())[:count]}
        response = superuser_client.get(list_url(model), query)
        assert response.status_code == 200
        assert response.context["cl"].result_count >= 1

    last_year = {f"{field}__year": today.year - 1}
    assert superuser_client.get(list_url(model), last_year).context["cl"].result_count == 0


@pytest.mark.parametrize("label", DATE_LISTS)
@pytest.mark.parametrize("year", ["1", "9998"])
def test_the_first_and_last_years_the_calendar_can_narrow_to_still_answer(
    superuser_client, everything, label, year
):
    model = LISTS[label]
    field = admin.site._registry[model].date_hierarchy

    for parts in (
        {"year": year},
        {"year": year, "month": "12"},
        {"year": year, "month": "12", "day": "31"},
    ):
        query = {f"{field}__{part}": value for part, value in parts.items()}
        response = superuser_client.get(list_url(model), query)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999999"])
@pytest.mark.parametrize("order", ["x", "99999999999999999999999", "-.-"])
def test_pages_and_sorting_no_list_has_are_not_a_server_error(
    client, viewer, everything, page, order
):
    client.force_login(viewer)

    response = client.get("/admin/articles/subscriber/", {"p": page, "o": order})

    assert response.status_code in (200, 302, 400)


def test_the_group_list_is_covered_too(superuser_client):
    Group.objects.get_or_create(name="Another")

    assert refused(superuser_client.get("/admin/auth/group/", {"name__regex": "(a+)+$"}))
    assert superuser_client.get("/admin/auth/group/", {"q": "Another"}).status_code == 200


def test_a_date_just_inside_the_calendar_still_answers(superuser_client, everything):
    old = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    Feedback.objects.update(created_at=old)

    response = superuser_client.get(
        "/admin/articles/feedback/", {"created_at__year": "1900", "created_at__month": "1"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
