"""What only the clinic can say: its answers in *Clinic details*, shown in articles and blocks
where their text says [[clinic:cost]], "Ask your physiotherapist." where staff have given
none, and covered by the clinical sign-off."""

import pytest

from articles.importers import ContentError, load_content
from articles.markdown import render
from articles.models import Article, Block, ClinicDetails

from .conftest import started_from

pytestmark = pytest.mark.django_db

NEEDLES = "We use single-use, sterile needles and throw each one away straight after use."
NO_FIELD = (
    "There is no clinic detail called 'price'. Use one of: name, phone, needles, "
    "needling_over_chest, electrical_needling, chaperones, cost, session_length."
)


def details_form(details: ClinicDetails, **changes) -> dict:
    """The clinic details' admin change form as a browser posts it, with ``changes``."""
    return {
        **started_from(details),
        "name": details.name,
        "phone": details.phone,
        "email": details.email,
        "address": details.address.replace("\n", "\r\n"),
        "opening_hours": details.opening_hours,
        "booking_url": details.booking_url,
        **{name: getattr(details, name) for name in ClinicDetails.ANSWERS},
        **changes,
    }


def test_an_answer_not_given_yet_says_ask_your_physiotherapist():
    html = render("Needles: [[clinic:needles]] Cost: [[clinic:cost]]\n").html

    assert html == "<p>Needles: Ask your physiotherapist. Cost: Ask your physiotherapist.</p>"


def test_an_answer_given_is_shown_in_the_clinics_words():
    ClinicDetails(needles=NEEDLES).save()

    assert render("[[clinic:needles]]\n").html == f"<p>{NEEDLES}</p>"


def test_the_shipped_placeholders_show_as_they_are():
    html = render("Call [[clinic:name]] on [[clinic:phone]].\n").html

    assert html == "<p>Call [Clinic name] on [Clinic phone number].</p>"


def test_a_real_phone_number_can_be_called_from_the_page():
    ClinicDetails(name="Riverside Physio", phone="01234 567 890").save()

    html = render("Call [[clinic:name]] on [[clinic:phone]].\n").html

    assert html == '<p>Call Riverside Physio on <a href="tel:01234567890">01234 567 890</a>.</p>'


def test_a_published_article_or_block_naming_an_unknown_detail_is_refused(
    content_dir, write_article
):
    (content_dir / "blocks").mkdir()
    block = content_dir / "blocks" / "costs.md"
    block.write_text("---\ntitle: Costs\n---\n[[clinic:price]]\n")
    path = write_article("first-visit", body="What it costs: [[clinic:price]]\n")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [f"{block}: body: {NO_FIELD}", f"{path}: body: {NO_FIELD}"]


def test_a_draft_naming_an_unknown_detail_saves_with_a_warning(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "First visit",
            "slug": "first-visit",
            "summary": "What to expect.",
            "body": "What it costs:\r\n[[clinic:price]]\r\n",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
        follow=True,
    )

    assert f"Before patients read it: {NO_FIELD}" in [str(m) for m in response.context["messages"]]


@pytest.fixture
def shown(make_article, give_sign_off):
    """Two signed-off articles showing the clinic's answer about needles, one in its own text
    and one through a block, and one showing the cost."""
    ClinicDetails(needles=NEEDLES).save()
    Block.objects.create(name="needles", title="Needles", body="[[clinic:needles]]")
    return [
        give_sign_off(make_article("first-visit", title="First visit", body="[[clinic:needles]]")),
        give_sign_off(make_article("safety", title="Safety", body="[[block:needles]]")),
        give_sign_off(make_article("costs", title="Costs", body="[[clinic:cost]]")),
    ]


def test_saving_the_clinic_details_changes_every_page_that_shows_the_answer(
    shown, admin_client, client
):
    details = ClinicDetails.objects.get()

    response = admin_client.post(
        f"/admin/articles/clinicdetails/{details.pk}/change/",
        details_form(details, needles="Our needles are sterile and used once."),
    )

    assert response.status_code == 302
    for article in shown[:2]:
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Our needles are sterile and used once." in page
        article.refresh_from_db()
        assert not article.is_signed_off
        assert article.sign_off_ended.startswith("The clinic detail “needles” changed on ")
        assert article.sign_off_ended.endswith(", by admin (Changed the clinic details).")
    assert Article.objects.signed_off().get() == shown[2]


def test_a_change_to_what_no_page_shows_keeps_every_sign_off(shown, admin_client):
    details = ClinicDetails.objects.get()

    admin_client.post(
        f"/admin/articles/clinicdetails/{details.pk}/change/",
        details_form(details, opening_hours="Monday to Friday, 8am to 6pm"),
    )

    assert Article.objects.signed_off().count() == 3


def test_the_sign_off_shows_the_clinics_answers_as_patients_read_them(shown, staff_client):
    response = staff_client.get(f"/admin/articles/article/{shown[1].pk}/sign-off/")

    assert ["Clinic detail “needles”", NEEDLES] in response.context["text"]
    costs = staff_client.get(f"/admin/articles/article/{shown[2].pk}/sign-off/")
    assert ["Clinic detail “cost”", "Ask your physiotherapist."] in costs.context["text"]


def test_the_answers_are_one_line_each(admin_client):
    details = ClinicDetails()
    details.save()

    response = admin_client.post(
        f"/admin/articles/clinicdetails/{details.pk}/change/",
        details_form(details, cost="£60 for 45 minutes.\r\nNeedling is included."),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cost"] == [
        "Keep this on one line: it appears in page titles and email subjects, where a line "
        "break does not belong."
    ]


def test_brackets_in_a_phone_number_stay_words():
    ClinicDetails(phone="01234 567 890 [reception]").save()

    html = render("Call [[clinic:phone]].\n").html

    assert html == '<p>Call <a href="tel:01234567890">01234 567 890 [reception]</a>.</p>'
