"""The large data set generator (`caseport seed`): a small run is complete and consistent."""

import peewee
import pytest
from click.testing import CliRunner

from portal.cases.queries.search import matching_case_ids
from portal.cli import main
from portal.demo.seed import seed
from portal.models.cases import Attachment, Case, CaseEvent, CaseFieldValue
from portal.models.people import Customer, User
from portal.policy import case_visibility


@pytest.fixture
def seeded(app):
    return seed(cases=300, customers=30, random_seed=7)


def seeded_cases():
    """Cases of seeded customers (numbered S...): the demo steps the seed runs may add cases of their own."""
    return Case.select().join(Customer).where(Customer.customer_number.startswith("S"))


def test_seed_creates_the_cases_and_customers_asked_for(seeded):
    assert seeded_cases().count() == 300 == seeded.cases
    assert Customer.select().where(Customer.customer_number.startswith("S")).count() == 30


def test_seeded_cases_carry_the_reports_calendar_seconds(seeded):
    """The reports read calendar time from the case (portal.service_levels.elapsed): a seeded database shows it
    without a backfill, as cases filed through the services do."""
    answered = closed = 0
    for case in seeded_cases():
        if case.first_response_at is None:
            assert case.first_response_s is None
        else:
            answered += 1
            assert case.first_response_s == round((case.first_response_at - case.opened_at).total_seconds())
        if case.status.category == "closed":
            closed += 1
            assert case.resolution_s == round((case.last_closed_at - case.opened_at).total_seconds())
        else:
            assert case.resolution_s is None
    assert answered and closed


def test_every_seeded_case_has_between_1_and_50_events_starting_with_created(seeded):
    per_case = (
        Case.select(Case.id, peewee.fn.COUNT(CaseEvent.id).alias("n"))
        .join(CaseEvent, peewee.JOIN.LEFT_OUTER)
        .where(Case.id.in_(seeded_cases().select(Case.id)))
        .group_by(Case.id)
        .tuples()
    )
    counts = [n for _, n in per_case]
    assert len(counts) == 300 and min(counts) >= 1 and max(counts) <= 50
    events = CaseEvent.select().where(CaseEvent.case.in_(seeded_cases().select(Case.id)))
    assert events.where(CaseEvent.kind == "created").count() == 300
    assert seeded.events == events.count()


def test_the_busy_customer_signs_in_and_sees_200_cases(seeded):
    user = User.get(User.email == seeded.busy_customer_email)
    assert user.role == "customer" and user.email_verified_at is not None
    assert Case.select().where(case_visibility(user)).count() >= 200


def test_seeded_cases_have_field_values_internal_notes_and_attachment_rows(seeded):
    ids = seeded_cases().select(Case.id)
    assert CaseFieldValue.select().where(CaseFieldValue.case.in_(ids)).count() == seeded.field_values > 0
    assert CaseEvent.select().where((CaseEvent.public == False) & CaseEvent.case.in_(ids)).count() > 0  # noqa: E712
    assert Attachment.select().where(Attachment.case.in_(ids)).count() == seeded.attachments
    assert Case.select().where(Case.updated_at < Case.opened_at).count() == 0


def test_the_search_finds_seeded_text(seeded):
    case = seeded_cases().order_by(Case.id.desc()).first()
    found = Case.select(Case.id).where(Case.id.in_(matching_case_ids(case.title, staff=False)))
    assert case.id in {c.id for c in found}
    assert Case.select().where(Case.id.in_(matching_case_ids(case.reference, staff=False))).get().id == case.id


def test_seeded_internal_notes_are_only_in_the_staff_documents(seeded):
    # "legacy" appears only in internal notes of the generator's texts
    staff = Case.select().where(Case.id.in_(matching_case_ids("legacy plan", staff=True))).count()
    public = Case.select().where(Case.id.in_(matching_case_ids("legacy plan", staff=False))).count()
    assert staff > 0 and public == 0


def test_the_seed_leaves_the_database_in_its_fast_state(seeded):
    """SQLite: each full-text index is one merged segment; PostgreSQL: the bulk tables have planner
    statistics (a benchmark on a seeded database measures what a maintained one does)."""
    from portal.db import database, is_postgres

    if is_postgres(database):
        analyzed = database.execute_sql(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('case', 'case_search', 'case_event') "
            "AND schemaname = current_schema() AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
        ).fetchone()[0]
        assert analyzed == 3
        return
    for table in ("case_search_public", "case_search_staff"):
        segments = database.execute_sql(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]  # noqa: S608
        assert segments == 1, table


def test_seeding_twice_adds_a_second_set(seeded):
    again = seed(cases=20, customers=5, random_seed=7)
    assert seeded_cases().count() == 320
    assert again.busy_customer_email != seeded.busy_customer_email


def test_the_seed_command_prints_what_it_made(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-long-enough-0123456789")
    result = CliRunner().invoke(main, ["seed", "--cases", "40", "--customers", "5", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Seeded 40 cases" in result.output and "cases/s" in result.output
    assert "busy.customer@seed.example.com" in result.output
