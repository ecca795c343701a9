"""Mentoring sessions: one student's, or a group session for a cohort; attendance; the day view.

A mentor cannot be in two sessions at once: creating or moving a session takes a lock on
the mentor's row and refuses an overlap with 409, so two requests racing cannot both win.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Cohort, CohortMember, Role, Schedule, User, iso
from app.realtime.rooms import cohort_room, mentor_room, student_room
from app.schemas.schedules import ScheduleSchema
from app.services import access, activity, mentor_metrics, notifications, outbox
from app.services.dashboard import queue as dashboard_queue
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.transaction import commit

EDITABLE = ("title", "description", "start_time", "end_time", "focus_stack")
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


def _visibility(user):
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MENTOR:
        return Schedule.mentor_id == user.id
    if user.role == Role.STUDENT:
        return or_(Schedule.student_id == user.id, Schedule.cohort_id.in_(access.cohort_ids_of(user.id)))
    return Schedule.id.is_(None)  # no other role has sessions


def visible_schedule(user, schedule_id):
    s = db.session.get(Schedule, schedule_id)
    visible = s is not None and (
        user.role == Role.ADMIN
        or (user.role == Role.MENTOR and s.mentor_id == user.id)
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
    payload = {"schedule": SCHEDULE.dump(s)}
    outbox.record("schedule:created", mentor_room(mentor.id), payload)
    outbox.record_to_rooms("schedule:assigned", _attendee_rooms(s), payload)
    for student in attendees(s):
        notifications.notify(
            student, "schedule_assigned", f"New session: {title}", f"Starts {iso(start_time)}", {"schedule_id": s.id}
        )
    mentor_metrics.changed(mentor.id)
    dashboard_queue.queue_refresh_for(s, "schedule:created")
    commit()
    return s


def update(user, schedule_id, changes):
    """Change a session's details or times (checked again for overlaps)."""
    s = owned_schedule(user, schedule_id)
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    start = changes.get("start_time", s.start_time)
    end = changes.get("end_time", s.end_time)
    _check_times(start, end)
    if s.status != "canceled" and (start != s.start_time or end != s.end_time):
        _check_overlap(s.mentor_id, start, end, exclude_id=s.id)
    before = _audit_view(s)
    for field, value in changes.items():
        setattr(s, field, value)
    old, new = activity.diff(before, _audit_view(s))
    if not new:
        return s
    activity.audit("schedule", s.id, "update", user, old, new)
    _announce_update(s, user, "schedule:updated", f"Session changed: {s.title}", new)
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


def delete(user, schedule_id):
    """Remove a session; the audit log keeps what it was."""
    s = owned_schedule(user, schedule_id)
    activity.audit("schedule", s.id, "delete", user, _audit_view(s), None)
    _announce_update(s, user, "schedule:deleted", f"Session removed: {s.title}", {"deleted": True})
    db.session.delete(s)
    commit()


def _announce_update(s, actor, activity_type, title, changes):
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
    outbox.record_to_rooms("schedule:updated", [*_attendee_rooms(s), mentor_room(s.mentor_id)], payload)
    for student in attendees(s):
        notifications.notify(student, "schedule_updated", title, "", {"schedule_id": s.id, "changes": changes})
    mentor_metrics.changed(s.mentor_id)
    dashboard_queue.queue_refresh_for(s, activity_type)


# -- reads ------------------------------------------------------------------------------


def day_window(date, tz):
    """A calendar day in `tz` as a UTC [start, end) (23 or 25 hours long on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(date, time(), zone)
    end = datetime.combine(date + timedelta(days=1), time(), zone)
    return start, end


def list_schedules(user, student_id=None, date=None, tz="UTC", status=None, limit=200):
    """Sessions the caller may see, by start; with `date`, the day hour by hour in `tz`.
    The route dumps them as the caller sees them, with local times in `tz`."""
    query = select(Schedule)
    visible = _visibility(user)
    if visible is not None:
        query = query.where(visible)
    if student_id is not None:
        student = access.visible_student(user, student_id)
        query = query.where(
            or_(Schedule.student_id == student.id, Schedule.cohort_id.in_(access.cohort_ids_of(student.id)))
        )
    if status:
        query = query.where(Schedule.status == status)
    window = day_window(date, tz) if date is not None else None
    if window:
        query = query.where(Schedule.start_time < window[1], Schedule.end_time > window[0])
    rows = db.session.scalars(query.order_by(Schedule.start_time, Schedule.id).limit(limit)).all()
    result = {"items": rows}
    if window:
        result["day"] = _hours(rows, date, tz, *window)
    return result


def _hours(rows, date, tz, start, end):
    """The day as hour slots in local time, each naming the sessions that overlap it."""
    zone = ZoneInfo(tz)
    hours = []
    slot = start.astimezone(ZoneInfo("UTC"))
    end = end.astimezone(ZoneInfo("UTC"))
    while slot < end:
        nxt = slot + timedelta(hours=1)
        hours.append(
            {
                "hour": slot.astimezone(zone).strftime("%H:%M"),
                "start": slot,
                "schedule_ids": [s.id for s in rows if s.start_time < nxt and s.end_time > slot],
            }
        )
        slot = nxt
    return {"date": date, "tz": tz, "hours": hours}
