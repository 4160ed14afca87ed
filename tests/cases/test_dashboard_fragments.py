"""The dashboard keeps parts of its markup ({% remember %}, portal/fragments.py: the sortable headings, the
status groups, the filter form, the page links) and reuses them while what they show is the same. A
kept part must never show another view's state: every view below, in three languages, for a customer
and for staff, requested in an order that reuses parts kept for the views before it, is the same page
as the one rendered with nothing kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal import clock
from portal.fragments import RememberExtension
from portal.models.configuration import CaseStatus, CaseTemplate
from portal.models.people import User
from tests import factories
from tests.cases.test_dashboard import make_case, profile

VIEWS = [
    "/cases",
    "/cases?page=2",
    "/cases?page=3",
    "/cases?sort=title",
    "/cases?sort=title&order=desc",
    "/cases?sort=reference&order=asc&page=2",
    "/cases?category=open",
    "/cases?category=open&sort=status",
    "/cases?category=action",
    "/cases?category=closed&page=2",
    "/cases?category=bogus&status=nope&template=x",
    "/cases?q=printer",
    "/cases?q=printer&sort=updated&order=asc",
    "/cases?q=%3Cb%3E%22x%22",
    "/cases?q=" + "y" * 1001,
    "/cases?sort=nonsense&order=sideways",
    "/cases?status=STATUS",
    "/cases?template=TEMPLATE&category=waiting",
    "/cases?utm=1",
]

def _masked(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


@pytest.fixture
def template(app):
    return CaseTemplate.create(name="General question", state="published")


@pytest.fixture
def busy(people, template, monkeypatch):
    """60 cases of the customer over every status category, two forms; the clock frozen, so rows say the same."""
    now = datetime.now(UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    own = profile(people.customer)
    other_form = CaseTemplate.create(name="Billing <question>", state="published")
    group = factories.workgroup(people.agent)
    for n in range(60):
        make_case(own, template if n % 3 else other_form, title=f"Printer case {n}" if n % 4 else f"Case {n}",
                  category=("open", "waiting", "resolved", "closed")[n % 4], updated_minutes_ago=n * 7,
                  workgroup=group)
    return own


def _views() -> list[str]:
    status = CaseStatus.select().where(CaseStatus.category == "waiting").first()
    form = CaseTemplate.select().order_by(CaseTemplate.id).first()
    return [view.replace("STATUS", str(status.uuid)).replace("TEMPLATE", str(form.uuid)) for view in VIEWS]


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_kept_parts_show_exactly_what_rendering_them_shows(app, client, login, people, busy, role):
    """Every view as rendered afresh, also after the counts, the statuses' names, the number of pages
    and the viewer's name (the layout's account link) changed."""
    user = people.by_role(role)
    login(user)
    views = _views()
    for language in ("en", "de", "es"):
        User.update(language=language).where(User.id == user.id).execute()
        app.jinja_env.remember_fragments = False
        try:
            fresh = {view: _masked(client.get(view).get_data(as_text=True)) for view in views}
        finally:
            app.jinja_env.remember_fragments = True
        # twice in opposite orders: the second pass meets parts kept by every other view
        for view in [*views, *reversed(views)]:
            response = client.get(view)
            assert response.status_code == 200
            assert _masked(response.get_data(as_text=True)) == fresh[view], (language, view)
        assert 'lang="en"' not in fresh[views[0]] or language == "en"
    # what the counts, the choices and the page links read changes: 16 more cases (a fourth page), a
    # renamed status
    for n in range(16):
        make_case(busy, CaseTemplate.select().order_by(CaseTemplate.id).first(), title=f"More {n}", category="waiting")
    CaseStatus.update(name="Waiting on you & others").where(CaseStatus.category == "waiting").execute()
    User.update(display_name="Renamed <b>&</b>").where(User.id == user.id).execute()
    for view in views[:3]:
        app.jinja_env.remember_fragments = False
        try:
            fresh = _masked(client.get(view).get_data(as_text=True))
        finally:
            app.jinja_env.remember_fragments = True
        assert _masked(client.get(view).get_data(as_text=True)) == fresh, view
    kept = app.extensions.get("caseport_fragments", {})
    assert kept, "nothing was kept: the test did not exercise the memo"


def test_a_part_is_kept_per_locale_and_key_and_the_memo_starts_over_when_full(app, monkeypatch):
    app.jinja_env.add_extension(RememberExtension)
    monkeypatch.setattr("portal.fragments.KEPT", 2)
    source = '{% remember n %}{{ _("Cases") }} {{ n }}{% endremember %}'
    with app.test_request_context("/cases"):
        with force_locale("de"):
            assert render_template_string(source, n=1) == "Fälle 1"
            assert render_template_string(source, n=2) == "Fälle 2"
            assert render_template_string(source, n=3) == "Fälle 3"
            assert render_template_string(source, n=3) == "Fälle 3"
            assert len(app.extensions["caseport_fragments"]) <= 2
        with force_locale("en"):
            assert render_template_string(source, n=3) == "Cases 3"
        with pytest.raises(TypeError):
            render_template_string(source, n=_Unhashable())


class _Unhashable:
    __hash__ = None


def test_a_kept_row_is_the_row_as_written_afresh_for_every_value_it_shows(app):
    """case_rows keeps each row's markup (but its relative time) by the row's values and the table's
    words: any value that changes gives the row as written without anything kept."""
    from portal.cases.queries.dashboard import CaseRow
    from portal.cases.routes import case_rows

    now = datetime.now(UTC)
    row = CaseRow("30000001", "Printer <jammed>", now, "Waiting on you", "waiting", "We need a photo", "Billing",
                  "Cora", "Customer", None)
    changes = [{}, {"title": "Printer fixed & done"}, {"status_name": "Open"}, {"status_category": "open"},
               {"status_description": ""}, {"template_name": "Other"}, {"customer_first_name": "Otto"},
               {"read_at": now}, {"reference": "30000002"}]
    with app.test_request_context("/cases"):
        for language in ("en", "de"):
            with force_locale(language):
                for show_customer in (False, True):
                    kept = case_rows.CaseRowMarkup(case_rows.table_labels(), show_customer=show_customer,
                                                   case_url="/cases/")
                    for change in changes:
                        changed = row._replace(**change)
                        first, again = kept(changed), kept(changed)
                        case_rows._HEADS.clear()
                        assert first == again == kept(changed), (language, show_customer, change)
                    assert ("Otto" in kept(row._replace(customer_first_name="Otto"))) is show_customer


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_a_rows_time_is_what_moments_relative_writes_in_any_zone(app, language):
    """The last cell, written from kept markup and this request's words, is Moments.relative's <time>:
    from seconds to years away, past and future, in two zones, with rows kept from the other zone."""
    from zoneinfo import ZoneInfo

    from portal.cases.queries.dashboard import CaseRow
    from portal.cases.routes import case_rows
    from portal.i18n import Moments, current_locale

    now = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
    offsets = [0, 10, 44, 45, 89, 90, 3_000, 3_959, 3_960, 7_200, 86_000, 86_400 * 2, 86_400 * 40, 86_400 * 400]
    moments = [now - timedelta(seconds=s) for s in offsets] + [now + timedelta(seconds=s) for s in offsets[1:]]
    with app.test_request_context("/cases"), force_locale(language):
        for _pass in range(2):  # the second pass writes every row from kept markup
            for zone in ("America/New_York", "Asia/Kolkata"):
                expected = Moments(current_locale(), ZoneInfo(zone), now)
                table = case_rows.CaseRowMarkup(case_rows.table_labels(), show_customer=False, case_url="/cases/")
                table._moments, table._viewer = expected, (str(expected.locale), expected.zone)
                for moment in moments:
                    row = CaseRow("30000001", "Title", moment, "Open", "open", "", "Form", "A", "B", moment)
                    assert str(table(row)).endswith(f"{expected.relative(moment)}</td>\n      </tr>"), (zone, moment)
