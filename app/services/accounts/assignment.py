"""A student's one mentor: set by an admin, and the current mentor everywhere after it."""

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from app.services.accounts import reassignment
from app.services.activity import feed as activity
from app.services.identity.users import get_user
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.portal import mentor_metrics
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room
from app.services.shared.errors import Conflict
from app.services.shared.transaction import commit


def assign_mentor(student_id, mentor_id, actor=None):
    """Set a student's one mentor (replacing any earlier one); the new mentor hears `student:registered`."""
    student = get_user(student_id, Role.STUDENT.value)
    mentor = get_user(mentor_id, Role.MENTOR.value)
    if not mentor.is_active:
        raise Conflict("mentor_inactive", "This mentor's account is inactive; choose an active mentor.")
    # Two admins reassigning at once: the second waits and sees the first's choice.
    db.session.execute(select(User.id).where(User.id == student.id).with_for_update())
    db.session.refresh(student)
    previous = student.mentor_id
    if previous == mentor.id:
        return student
    student.mentor_id = mentor.id
    activity.record(
        "student:registered",
        actor,
        "user",
        student.id,
        student_id=student.id,
        mentor_id=mentor.id,
        payload={"previous_mentor_id": previous},
    )
    summary = {"id": student.id, "name": student.name, "email": student.email, "cohort_ids": student.cohort_ids}
    notifications.notify(
        mentor,
        notification_types.STUDENT_REGISTERED,
        f"{student.name} is now your student",
        "",
        {"student_id": student.id},
    )
    outbox.record(events.STUDENT_REGISTERED, mentor_room(mentor.id), {"student": summary})
    mentor_metrics.changed(mentor.id, previous)
    reassignment.on_mentor_changed(student, previous, mentor.id, actor)
    commit()
    return student
