"""Seed real portal work (tasks, entries, sessions, cohorts) for dashboard tests."""

from datetime import timedelta

from app.models import utcnow
from tests import factories


def task(student, title, skills, status="open", due_in=None, est_hours=None, mentor=None, now=None):
    now = now or utcnow()
    due_at = now + due_in if due_in is not None else None
    return factories.task(student, mentor, title, status, skills, due_at, now, est_hours=est_hours)


def entry(student, title, skills, status="pending"):
    return factories.entry(student, title, status, skills)


def cohort(name, *students):
    return factories.cohort(*students, name=name)


def session(mentor, title, start, hours=1, student=None, cohort=None):
    return factories.schedule(mentor, start, hours, student, cohort, title)


def student_with_work(now=None, **user):
    """A student in a cohort with a mentor, done and open tasks, reviewed entries."""
    now = now or utcnow()
    mentor = factories.mentor()
    student = factories.student(mentor, name="Sam Student", **user)
    peer = factories.student(mentor, name="Pat Peer")
    group = cohort(f"Cohort {student.id}", student, peer)
    task(student, "Build a REST API", ["python", "apis"], status="done", mentor=mentor, now=now)
    task(student, "Write unit tests", ["python", "testing"], status="done", mentor=mentor, now=now)
    overdue = task(student, "SQL joins drill", ["sql"], due_in=-timedelta(days=2), est_hours=2, mentor=mentor, now=now)
    task(student, "Deploy to Heroku", ["devops"], due_in=timedelta(days=3), est_hours=3, mentor=mentor, now=now)
    entry(student, "My API design notes", ["apis"], status="approved")
    revise = entry(student, "Testing reflections", ["testing"], status="needs_revision")
    task(peer, "Peer task", ["python"], status="done", mentor=mentor, now=now)
    task(peer, "Peer task 2", ["python"], status="done", mentor=mentor, now=now)
    return {"student": student, "mentor": mentor, "peer": peer, "cohort": group, "overdue": overdue, "revise": revise}
