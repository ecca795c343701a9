"""Cohorts and their members: admins create and fill them; students join open cohorts, or
ones whose join code they were given.

Every change of membership moves the student's open sockets into or out of the cohort's
room at once, on every web process (identity.rooms.refresh_rooms after the commit).
"""

import hmac

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Cohort, CohortMember, Role
from app.services.dashboard.queue import queue_refresh
from app.services.identity import access, rooms
from app.services.identity.users import get_user
from app.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.shared.transaction import after_commit, commit


def create_cohort(name, is_open=False, join_code=None):
    name = name.strip()
    if db.session.scalar(select(Cohort).where(Cohort.name == name)) is not None:
        raise Conflict("cohort_exists", f"A cohort named {name!r} already exists.")
    cohort = Cohort(name=name, is_open=is_open, join_code=join_code or None)
    db.session.add(cohort)
    db.session.commit()
    return cohort


def get_cohort(cohort_id):
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("cohort_not_found", f"No cohort with id {cohort_id}.")
    return cohort


def update_cohort(cohort_id, changes):
    """Admins open or close a cohort, set or clear its join code, rename it."""
    cohort = get_cohort(cohort_id)
    if "name" in changes:
        name = changes["name"].strip()
        taken = db.session.scalar(select(Cohort.id).where(Cohort.name == name, Cohort.id != cohort.id))
        if taken is not None:
            raise Conflict("cohort_exists", f"A cohort named {name!r} already exists.")
    for field, value in changes.items():
        setattr(cohort, field, value.strip() if field == "name" else (value or None) if field == "join_code" else value)
    try:
        commit()  # rolls back by itself on failure
    except IntegrityError as exc:
        # Another admin took the name between the check and the commit.
        raise Conflict("cohort_exists", "A cohort with this name already exists.") from exc
    return cohort


def _is_member(cohort_id, student_id):
    return db.session.scalar(
        select(CohortMember.id).where(CohortMember.cohort_id == cohort_id, CohortMember.user_id == student_id)
    )


def _add(cohort, student):
    if _is_member(cohort.id, student.id) is not None:
        raise Conflict("already_member", "This student is already in the cohort.")
    membership_row = CohortMember(cohort_id=cohort.id, user_id=student.id)
    db.session.add(membership_row)
    # Their dashboard's "Join cohort" action, cohort card and leaderboard change.
    queue_refresh([student.id], "cohort:joined", "high")
    after_commit(lambda: rooms.refresh_rooms(student.id))
    try:
        commit()  # rolls back by itself on failure
    except IntegrityError:
        raise Conflict("already_member", "This student is already in the cohort.") from None
    return membership_row


def add_member(cohort_id, student_id, actor=None):
    """An admin adds a student to a cohort."""
    return _add(get_cohort(cohort_id), get_user(student_id, Role.STUDENT.value))


def remove_member(cohort_id, student_id, actor=None):
    """An admin takes a student out of a cohort; their open sockets leave its room at once."""
    cohort = get_cohort(cohort_id)
    row = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == student_id)
    )
    if row is None:
        raise NotFound("member_not_found", f"Student {student_id} is not in this cohort.")
    db.session.delete(row)
    queue_refresh([student_id], "cohort:left", "high")
    after_commit(lambda: rooms.refresh_rooms(student_id))
    commit()


def _joinable():
    return or_(Cohort.is_open.is_(True), Cohort.join_code.is_not(None))


def list_for(user, joinable=False):
    """With `joinable`: the cohorts a student may join (open or with a code, not theirs yet).
    Otherwise the caller's own cohorts (all of them for an admin)."""
    query = select(Cohort).order_by(Cohort.name, Cohort.id)
    mine = access.cohort_ids_of(user.id)
    if joinable:
        if user.role != Role.STUDENT:
            return []
        query = query.where(_joinable(), Cohort.id.not_in(mine))
    elif user.role != Role.ADMIN:
        query = query.where(Cohort.id.in_(mine))
    return list(db.session.scalars(query))


def join(student, cohort_id, code=None):
    """A student joins an open cohort, or one whose code they give. 404 for a cohort that is
    neither (it is not offered), 422 without a needed code, 403 with a wrong one, 409 when a member."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not (cohort.is_open or cohort.join_code):
        raise NotFound("cohort_not_found", f"No cohort with id {cohort_id} that you may join.")
    if _is_member(cohort.id, student.id) is not None:
        raise Conflict("already_member", "You are already in this cohort.")
    if not cohort.is_open:
        if not code:
            raise Invalid(details={"code": ["This cohort needs its join code."]})
        if not hmac.compare_digest(code.strip().encode(), cohort.join_code.encode()):
            raise Forbidden("join_code_invalid", "That join code is not this cohort's.")
    _add(cohort, student)
    return cohort
