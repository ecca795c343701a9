"""Cohorts and their members."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Cohort, CohortMember, Role
from app.services.dashboard.queue import queue_refresh
from app.services.errors import Conflict, NotFound
from app.services.transaction import commit
from app.services.users import get_user


def create_cohort(name):
    name = name.strip()
    if db.session.scalar(select(Cohort).where(Cohort.name == name)) is not None:
        raise Conflict("cohort_exists", f"A cohort named {name!r} already exists.")
    cohort = Cohort(name=name)
    db.session.add(cohort)
    db.session.commit()
    return cohort


def get_cohort(cohort_id):
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("cohort_not_found", f"No cohort with id {cohort_id}.")
    return cohort


def add_member(cohort_id, student_id):
    cohort = get_cohort(cohort_id)
    student = get_user(student_id, Role.STUDENT.value)
    exists = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == student.id)
    )
    if exists is not None:
        raise Conflict("already_member", "This student is already in the cohort.")
    membership = CohortMember(cohort_id=cohort.id, user_id=student.id)
    db.session.add(membership)
    try:
        # Their dashboard's "Join cohort" action, cohort card and leaderboard change.
        queue_refresh([student.id], "cohort:joined", "high")
        commit()  # rolls back by itself on failure
    except IntegrityError:
        raise Conflict("already_member", "This student is already in the cohort.") from None
    return membership
