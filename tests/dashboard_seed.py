"""Seed real portal work (tasks, entries, sessions, cohorts) for dashboard tests."""

from datetime import timedelta

from app.extensions import db
from app.models import Cohort, CohortMember, Entry, Schedule, Task, utcnow
from tests.helpers import make_user


def task(student, title, skills, status="open", due_in=None, est_hours=None, mentor=None, now=None):
    now = now or utcnow()
    t = Task(
        student_id=student.id,
        mentor_id=mentor.id if mentor else None,
        title=title,
        skills=skills,
        status=status,
        est_hours=est_hours,
        due_at=now + due_in if due_in is not None else None,
        completed_at=now if status == "done" else None,
    )
    db.session.add(t)
    db.session.commit()
    return t


def entry(student, title, skills, status="pending"):
    e = Entry(student_id=student.id, title=title, body="...", skills=skills, status=status)
    db.session.add(e)
    db.session.commit()
    return e


def cohort(name, *students):
    c = Cohort(name=name)
    db.session.add(c)
    db.session.flush()
    for s in students:
        db.session.add(CohortMember(cohort_id=c.id, user_id=s.id))
    db.session.commit()
    return c


def session(mentor, title, start, hours=1, student=None, cohort=None):
    s = Schedule(
        mentor_id=mentor.id,
        student_id=student.id if student else None,
        cohort_id=cohort.id if cohort else None,
        title=title,
        start_time=start,
        end_time=start + timedelta(hours=hours),
        is_group=cohort is not None,
    )
    db.session.add(s)
    db.session.commit()
    return s


def student_with_work(now=None, **user):
    """A student in a cohort with a mentor, done and open tasks, reviewed entries."""
    now = now or utcnow()
    mentor = make_user("mentor")
    student = make_user(mentor=mentor, name="Sam Student", **user)
    peer = make_user(mentor=mentor, name="Pat Peer")
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
