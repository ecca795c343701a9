"""The busiest pages make a fixed number of SQL statements, however many students there
are (no query per student or per alert): counted with SQLAlchemy's cursor event, no timing."""

import contextlib

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import CohortMember
from tests import factories
from tests.web.pages import sign_in


@contextlib.contextmanager
def statements():
    seen = []

    def one(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", one)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", one)


def _student_with_work(mentor, group):
    student = factories.student(mentor=mentor)
    db.session.add(CohortMember(cohort_id=group.id, user_id=student.id))
    db.session.commit()
    factories.entry(student)
    factories.task(student, mentor=mentor)
    factories.task(student, mentor=mentor, status="done")
    factories.schedule(mentor, student=student)
    factories.intent(student)
    factories.alert(student)
    return student


def _count(client, path):
    assert client.get(path).status_code == 200  # warm: the identity and dashboard caches
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/mentor", "/mentor/_students", "/mentor/_crisis"])
def test_the_mentor_console_makes_as_many_statements_for_twelve_students_as_for_two(client, path):
    mentor = factories.mentor()
    group = factories.cohort()
    students = [_student_with_work(mentor, group) for _ in range(2)]
    sign_in(client, mentor)
    few, html = _count(client, path)
    students += [_student_with_work(mentor, group) for _ in range(10)]
    many, html = _count(client, path)
    assert many == few, f"{path}: {few} statements for 2 students, {many} for 12"
    if path != "/mentor/_crisis":
        assert all(f'data-student-id="{s.id}"' in html for s in students)
    if path != "/mentor/_students":
        assert html.count('data-testid="crisis-alert"') == 12


def test_the_mentor_console_stays_within_its_statement_budget(client):
    """Session, students, cohorts, last activity (chat, portal), counters, banner (alerts,
    steps), bell: fewer than a dozen, so an N+1 that creeps back shows up here."""
    mentor = factories.mentor()
    group = factories.cohort()
    for _ in range(3):
        _student_with_work(mentor, group)
    sign_in(client, mentor)
    count, _ = _count(client, "/mentor")
    assert count <= 10


def test_the_students_list_keeps_cohorts_and_counts_per_student(client):
    mentor = factories.mentor()
    first, second = factories.cohort(), factories.cohort()
    a = _student_with_work(mentor, first)
    db.session.add(CohortMember(cohort_id=second.id, user_id=a.id))
    db.session.commit()
    b = factories.student(mentor=mentor)
    from app.services.identity import principals
    from app.services.portal import mentors

    rows = {r["id"]: r for r in mentors.students_overview(principals.get(mentor.id))}
    assert rows[a.id]["cohort_ids"] == sorted([first.id, second.id]) and rows[b.id]["cohort_ids"] == []
    assert (rows[a.id]["open_alerts"], rows[b.id]["open_alerts"]) == (1, 0)
    assert rows[a.id]["last_activity_at"] and rows[b.id]["last_activity_at"] is None
    counters = mentors.console_counters([a.id, b.id])
    assert counters[a.id]["entries_to_review"] == 1 and counters[a.id]["open_tasks"] == 1
    assert counters[a.id]["next_session_at"] is not None
    assert counters[b.id] == {"entries_to_review": 0, "open_tasks": 0, "next_session_at": None}


def test_a_group_session_of_the_students_cohort_is_their_next_session(client):
    from datetime import timedelta

    from app.models import iso, utcnow
    from app.services.portal import mentors

    mentor = factories.mentor()
    a, b = factories.student(mentor=mentor), factories.student(mentor=mentor)
    group = factories.cohort(a)
    soon = utcnow() + timedelta(hours=2)
    factories.schedule(mentor, start=soon, cohort=group)
    factories.schedule(mentor, start=soon + timedelta(days=1), student=a)
    factories.schedule(mentor, start=soon - timedelta(hours=5), cohort=group)  # over already
    counters = mentors.console_counters([a.id, b.id])
    assert counters[a.id]["next_session_at"] == iso(soon)
    assert counters[b.id]["next_session_at"] is None  # not in the cohort


def test_the_student_dashboard_makes_as_many_statements_with_more_tasks_and_sessions(client):
    mentor = factories.mentor()
    student = factories.student(mentor=mentor)
    group = factories.cohort(student)
    sign_in(client, student)
    few, _ = _count(client, "/student")
    for _ in range(8):
        factories.task(student, mentor=mentor)
        factories.schedule(mentor, student=student)
        factories.schedule(mentor, cohort=group)
    many, html = _count(client, "/student")
    assert many == few and many <= 4, (few, many)
    assert html.count("A task") >= 8
