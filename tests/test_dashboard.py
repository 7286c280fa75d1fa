"""The admin's front page shows clinic staff what needs doing, with links to each list."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article, Delivery, Feedback

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_front_page_counts_what_needs_doing_and_links_to_it(
    staff_client, make_article, make_subscriber
):
    overdue = make_article(
        "old", reviewed=TODAY - dt.timedelta(days=500), review_due=TODAY - dt.timedelta(days=5)
    )
    make_article(
        "soon", reviewed=TODAY - dt.timedelta(days=350), review_due=TODAY + dt.timedelta(days=9)
    )
    draft = make_article("draft", status="draft")
    Article.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=91))
    Feedback.objects.create(article=overdue, helpful=False, comment="Unclear")
    Feedback.objects.create(article=overdue, helpful=True)
    make_subscriber("stuck@example.org", confirmation_sent_at=None)
    failed = make_subscriber("failed@example.org", "confirmed")
    Delivery.objects.create(subscriber=failed, article=overdue, attempts=2, last_error="refused")

    html = staff_client.get("/admin/").content.decode()

    rows = {
        "Reviews overdue": ("/admin/articles/article/?review=overdue", 1),
        "Reviews due in the next 30 days": ("/admin/articles/article/?review=soon", 1),
        "Articles awaiting clinical sign-off": ("/admin/articles/article/?sign_off=needed", 3),
        "Drafts untouched for 90 days": ("/admin/articles/article/?untouched=90", 1),
        "New comments from readers": ("/admin/articles/feedback/?comment=new", 1),
        "Confirmation emails that could not be sent": (
            "/admin/articles/subscriber/?failed=confirmation",
            1,
        ),
        "Update emails that could not be sent": ("/admin/articles/subscriber/?failed=update", 1),
    }
    assert "<h2>What needs attention</h2>" in html
    for label, (url, count) in rows.items():
        assert (
            f'<tr><th scope="row"><a href="{url}">{label}</a></th><td><strong>{count}</strong></td></tr>'
            in html
        ), label
    for url, _ in rows.values():
        assert staff_client.get(url).status_code == 200


def test_nothing_to_do_says_none(staff_client):
    html = staff_client.get("/admin/").content.decode()

    assert '<tr><th scope="row">Reviews overdue</th><td>None</td></tr>' in html
