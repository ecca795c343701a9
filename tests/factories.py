"""Test data built straight in the database, for service and job tests.

Modelled on redash's tests/factories.py: one small factory per model whose defaults make
a valid row; keyword arguments set any other column. Each factory commits and returns the
row. API tests keep the HTTP helpers in tests/helpers.py; these skip the HTTP layer (and
the notifications and events a service would add), so a test states only what it needs.
"""

import functools
import itertools
from datetime import timedelta

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    ChatIntent,
    Cohort,
    CohortMember,
    CrisisAlert,
    Entry,
    Notification,
    Role,
    Schedule,
    Task,
    User,
    utcnow,
)
from app.models.alerts import OPEN
from tests.helpers import PASSWORD

_sequence = itertools.count(1)


@functools.cache
def _password_hash():
    # Hashing is deliberately slow: every factory user shares one hash of tests.helpers.PASSWORD.
    return generate_password_hash(PASSWORD)


def _save(row):
    db.session.add(row)
    db.session.commit()
    return row


def user(role="student", mentor=None, **columns):
    """A user of `role` (student by default), with a unique email and the tests' password."""
    n = next(_sequence)
    role = Role(role)
    columns.setdefault("email", f"{role.value}-{n}@factory.test")
    columns.setdefault("name", f"{role.value.title()} {n}")
    return _save(User(role=role, mentor_id=mentor.id if mentor else None, password_hash=_password_hash(), **columns))


def student(mentor=None, **columns):
    return user("student", mentor=mentor, **columns)


def mentor(**columns):
    return user("mentor", **columns)


def admin(**columns):
    return user("admin", **columns)


def cohort(*members, name=None):
    """A cohort holding `members`."""
    group = Cohort(name=name or f"Cohort {next(_sequence)}")
    db.session.add(group)
    db.session.flush()
    for member in members:
        db.session.add(CohortMember(cohort_id=group.id, user_id=member.id))
    return _save(group)


def entry(student, title="An entry", status="pending", skills=(), **columns):
    columns.setdefault("body", "...")
    return _save(Entry(student_id=student.id, title=title, status=status, skills=list(skills), **columns))


def task(student, mentor=None, title="A task", status="open", skills=(), due_at=None, now=None, **columns):
    """A task for `student`; a done one was completed at `now`."""
    now = now or utcnow()
    columns.setdefault("completed_at", now if status == "done" else None)
    return _save(
        Task(
            student_id=student.id,
            mentor_id=mentor.id if mentor else None,
            title=title,
            status=status,
            skills=list(skills),
            due_at=due_at,
            **columns,
        )
    )


def schedule(mentor, start=None, hours=1, student=None, cohort=None, title="A session", **columns):
    """A session of `mentor` from `start` (default: in an hour), for a student or a cohort."""
    start = start or utcnow() + timedelta(hours=1)
    return _save(
        Schedule(
            mentor_id=mentor.id,
            student_id=student.id if student else None,
            cohort_id=cohort.id if cohort else None,
            is_group=cohort is not None,
            title=title,
            start_time=start,
            end_time=start + timedelta(hours=hours),
            **columns,
        )
    )


def notification(user, type="info", title="Something happened", **columns):
    columns.setdefault("data", {})
    return _save(Notification(user_id=user.id, type=type, title=title, **columns))


def intent(student, message="I need help", label="study_help", confidence=0.9, **columns):
    """A chatbot intent as stored (no crisis check runs: pass is_crisis=True for one)."""
    return _save(ChatIntent(student_id=student.id, message=message, intent=label, confidence=confidence, **columns))


def alert(student, severity="high", status=OPEN, **columns):
    """A crisis alert for `student`, owned by their mentor, on a crisis intent of its own."""
    trigger = columns.pop("intent", None) or intent(student, "I feel unsafe", "crisis", 0.95, is_crisis=True)
    columns.setdefault("mentor_id", student.mentor_id)
    return _save(CrisisAlert(student_id=student.id, intent_id=trigger.id, severity=severity, status=status, **columns))
