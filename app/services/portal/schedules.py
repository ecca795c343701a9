"""Mentoring sessions: one student's, or a group session for a cohort (the list: schedule_list.py).

A mentor cannot be in two sessions at once: creating or moving a session takes a lock on
the mentor's row and refuses an overlap with 409, so two requests racing cannot both win.

A 1:1 session belongs to its student's current mentor (reassigning the student cancels the
upcoming ones, services/reassignment.py); a group or not yet assigned session to its mentor.
"""

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Cohort, CohortMember, Role, Schedule, User, iso
from app.schemas.schedules import ScheduleSchema
from app.services.activity import feed as activity
from app.services.dashboard import queue as dashboard_queue
from app.services.identity import access
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.portal import mentor_metrics
from app.services.realtime import events, outbox
from app.services.realtime.rooms import cohort_room, mentor_room, student_room
from app.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.shared.transaction import commit

EDITABLE = ("title", "description", "start_time", "end_time", "focus_stack")
AUDIENCE = ("student_id", "cohort_id")
# Live events go to whole rooms (a cohort's): dumped without a viewer, so with no attendance rows.
SCHEDULE = ScheduleSchema()


def _audit_view(s):
    return {
        "title": s.title,
        "description": s.description,
        "start_time": iso(s.start_time),
        "end_time": iso(s.end_time),
        "focus_stack": s.focus_stack or [],
        "status": s.status,
        "student_id": s.student_id,
        "cohort_id": s.cohort_id,
    }


# -- who sees what ----------------------------------------------------------------------


def visibility(user):
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MENTOR:
        mine = select(User.id).where(User.mentor_id == user.id, User.role == Role.STUDENT)
        return or_(Schedule.student_id.in_(mine), Schedule.student_id.is_(None) & (Schedule.mentor_id == user.id))
    if user.role == Role.STUDENT:
        # the cohorts as a subquery: one statement for the student's sessions, not two
        cohorts = select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
        return or_(Schedule.student_id == user.id, Schedule.cohort_id.in_(cohorts))
    return Schedule.id.is_(None)  # no other role has sessions


def _runs(mentor, s):
    """Whether `mentor` is in charge of the session: its student's current mentor, or its own mentor."""
    if s.student_id is not None:
        student = db.session.get(User, s.student_id)
        return student is not None and student.mentor_id == mentor.id
    return s.mentor_id == mentor.id


def visible_schedule(user, schedule_id):
    s = db.session.get(Schedule, schedule_id)
    visible = s is not None and (
        user.role == Role.ADMIN
        or (user.role == Role.MENTOR and _runs(user, s))
        or (user.role == Role.STUDENT and (s.student_id == user.id or s.cohort_id in access.cohort_ids_of(user.id)))
    )
    if not visible:
        raise NotFound("schedule_not_found", f"No session with id {schedule_id} among yours.")
    return s


def owned_schedule(user, schedule_id):
    """A session the caller runs (or any, for an admin): only they change it."""
    s = visible_schedule(user, schedule_id)
    if user.role not in (Role.MENTOR, Role.ADMIN):
        raise Forbidden("not_session_owner", "Only the session's mentor may change it.")
    return s


def attendees(s):
    """The students expected at a session: its student, or the students of its cohort."""
    if s.student_id is not None:
        return [db.session.get(User, s.student_id)]
    if s.cohort_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == s.cohort_id, User.role == Role.STUDENT, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _attendee_rooms(s):
    if s.cohort_id is not None:
        return [cohort_room(s.cohort_id)]
    return [student_room(s.student_id)] if s.student_id else []


def _group_cohort(mentor, cohort_id):
    """A cohort the mentor may hold a group session for: one that has at least one of their students."""
    cohort = db.session.get(Cohort, cohort_id)
    mine = set(access.mentor_student_ids(mentor.id))
    members = {m.user_id for m in cohort.members} if cohort else set()
    if cohort is None or (mentor.role != Role.ADMIN and not mine & members):
        raise NotFound("cohort_not_found", f"No cohort with id {cohort_id} among your students'.")
    return cohort


# -- rules ------------------------------------------------------------------------------


def _check_times(start, end):
    if end <= start:
        raise Invalid(details={"end_time": ["Must be after start_time."]})


def _check_overlap(mentor_id, start, end, exclude_id=None):
    # Serialise a mentor's bookings: the second of two racing requests waits here, then sees the first.
    db.session.execute(select(User.id).where(User.id == mentor_id).with_for_update())
    query = select(Schedule.id).where(
        Schedule.mentor_id == mentor_id,
        Schedule.status != "canceled",
        Schedule.start_time < end,
        Schedule.end_time > start,
    )
    if exclude_id is not None:
        query = query.where(Schedule.id != exclude_id)
    clash = db.session.scalars(query.order_by(Schedule.start_time)).all()
    if clash:
        raise Conflict("schedule_overlap", "The mentor already has a session at that time.", {"conflicting_ids": clash})


# -- writes -----------------------------------------------------------------------------


def create(mentor, title, start_time, end_time, student_id=None, cohort_id=None, description="", focus_stack=None):
    """Book a session; the student (or the cohort) hears `schedule:assigned`, the mentor `schedule:created`."""
    _check_times(start_time, end_time)
    if student_id is not None:
        access.mentor_student(mentor, student_id)
    if cohort_id is not None:
        _group_cohort(mentor, cohort_id)
    _check_overlap(mentor.id, start_time, end_time)
    s = Schedule(
        mentor_id=mentor.id,
        student_id=student_id,
        cohort_id=cohort_id,
        is_group=cohort_id is not None,
        title=title,
        description=description,
        start_time=start_time,
        end_time=end_time,
        focus_stack=focus_stack or [],
    )
    db.session.add(s)
    db.session.flush()
    activity.audit("schedule", s.id, "create", mentor, None, _audit_view(s))
    activity.record(
        "schedule:created",
        mentor,
        "schedule",
        s.id,
        student_id=student_id,
        cohort_id=cohort_id,
        mentor_id=mentor.id,
        payload={"title": title, "start_time": iso(start_time)},
    )
    outbox.record(events.SCHEDULE_CREATED, mentor_room(mentor.id), {"schedule": SCHEDULE.dump(s)})
    _announce_assigned(s, attendees(s))
    mentor_metrics.changed(mentor.id)
    dashboard_queue.queue_refresh_for(s, "schedule:created")
    commit()
    return s


def _check_audience(s, audience):
    """A new student must be the session mentor's own; a cohort one they may hold a group session for."""
    mentor = db.session.get(User, s.mentor_id)
    if audience.get("student_id") is not None:
        student = db.session.get(User, audience["student_id"])
        if student is None or student.role != Role.STUDENT or student.mentor_id != mentor.id:
            raise access.student_not_found(audience["student_id"])
    if audience.get("cohort_id") is not None:
        _group_cohort(mentor, audience["cohort_id"])


def update(user, schedule_id, changes):
    """Change a session's details, times (checked again for overlaps) or audience: a student
    or a cohort assigned after booking hears `schedule:assigned`."""
    s = owned_schedule(user, schedule_id)
    audience = {k: changes[k] for k in AUDIENCE if k in changes}
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    start = changes.get("start_time", s.start_time)
    end = changes.get("end_time", s.end_time)
    _check_times(start, end)
    if audience:
        _check_audience(s, audience)
    if s.status != "canceled" and (audience or start != s.start_time or end != s.end_time):
        _check_overlap(s.mentor_id, start, end, exclude_id=s.id)
    before, before_rooms, before_ids = _audit_view(s), _attendee_rooms(s), {a.id for a in attendees(s)}
    for field, value in changes.items():
        setattr(s, field, value)
    if audience:
        s.student_id, s.cohort_id = audience.get("student_id"), audience.get("cohort_id")
        s.is_group = s.cohort_id is not None
    old, new = activity.diff(before, _audit_view(s))
    if not new:
        return s
    activity.audit("schedule", s.id, "update", user, old, new)
    newcomers = [a for a in attendees(s) if a.id not in before_ids]
    _announce_update(
        s, user, "schedule:updated", f"Session changed: {s.title}", new, extra_rooms=before_rooms, skip=newcomers
    )
    if "student_id" in new or "cohort_id" in new:
        _announce_assigned(s, newcomers)
    commit()
    return s


def set_status(user, schedule_id, status):
    """Complete, cancel or reopen a session; both dashboards update."""
    s = owned_schedule(user, schedule_id)
    if s.status == status:
        return s
    if status == "scheduled":
        _check_overlap(s.mentor_id, s.start_time, s.end_time, exclude_id=s.id)
    old = s.status
    s.status = status
    activity.audit("schedule", s.id, "status", user, {"status": old}, {"status": status})
    kind = {"completed": "schedule:completed", "canceled": "schedule:canceled", "scheduled": "schedule:reopened"}
    _announce_update(s, user, kind[status], f"Session {status}: {s.title}", {"status": status})
    commit()
    return s


def cancel_in_transaction(s, actor, reason):
    """Cancel a session inside the caller's open transaction (the caller commits)."""
    old = s.status
    s.status = "canceled"
    activity.audit("schedule", s.id, "status", actor, {"status": old}, {"status": "canceled", "reason": reason})
    changes = {"status": "canceled", "reason": reason}
    _announce_update(s, actor, "schedule:canceled", f"Session canceled: {s.title}", changes)


def delete(user, schedule_id):
    """Remove a session; the audit log keeps what it was."""
    s = owned_schedule(user, schedule_id)
    activity.audit("schedule", s.id, "delete", user, _audit_view(s), None)
    _announce_update(s, user, "schedule:deleted", f"Session removed: {s.title}", {"deleted": True})
    db.session.delete(s)
    commit()


def _announce_assigned(s, students):
    """`schedule:assigned` to the session's attendees' rooms, and a notification to each newcomer."""
    outbox.record_to_rooms(events.SCHEDULE_ASSIGNED, _attendee_rooms(s), {"schedule": SCHEDULE.dump(s)})
    for student in students:
        starts = f"Starts {iso(s.start_time)}"
        notifications.notify(
            student, notification_types.SCHEDULE_ASSIGNED, f"New session: {s.title}", starts, {"schedule_id": s.id}
        )


def _announce_update(s, actor, activity_type, title, changes, extra_rooms=(), skip=()):
    activity.record(
        activity_type,
        actor,
        "schedule",
        s.id,
        student_id=s.student_id,
        cohort_id=s.cohort_id,
        mentor_id=s.mentor_id,
        payload={"title": s.title, "changes": changes},
    )
    db.session.flush()
    payload = {"schedule": SCHEDULE.dump(s), "changes": changes}
    rooms = [*extra_rooms, *_attendee_rooms(s), mentor_room(s.mentor_id)]
    outbox.record_to_rooms(events.SCHEDULE_UPDATED, rooms, payload)
    skipped = {a.id for a in skip}
    for student in attendees(s):
        if student.id not in skipped:
            notifications.notify(
                student, notification_types.SCHEDULE_UPDATED, title, "", {"schedule_id": s.id, "changes": changes}
            )
    mentor_metrics.changed(s.mentor_id)
    dashboard_queue.queue_refresh_for(s, activity_type)
