"""Attendance at mentoring sessions: the mentor marks their own students, a student marks
themselves while the session runs. A group session's cohort can hold students of several
mentors, so each marks (and sees) only their own people."""

from sqlalchemy import select

from app.extensions import db
from app.models import Attendance, Role, Schedule, User, utcnow
from app.services.activity import feed as activity
from app.services.dashboard import queue as dashboard_queue
from app.services.identity import access
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.portal import schedules
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room, student_room
from app.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.shared.transaction import commit


def mark(user, schedule_id, status, student_id=None, now=None):
    """The mentor marks their own attending students; a student marks only themselves, during the session."""
    now = now or utcnow()
    s = schedules.visible_schedule(user, schedule_id)
    if user.role == Role.STUDENT:
        if student_id not in (None, user.id):
            raise Forbidden("not_allowed", "Students mark only their own attendance.")
        student_id = user.id
        if status not in ("present", "late"):
            raise Invalid(details={"status": ["Students may mark themselves present or late."]})
        if not s.start_time <= now <= s.end_time:
            raise Conflict("outside_session_window", "Attendance can be marked only while the session runs.")
    elif student_id is None:
        raise Invalid(details={"student_id": ["Required: whose attendance to mark."]})
    elif user.role not in (Role.MENTOR, Role.ADMIN):
        raise Forbidden()
    elif not access.can_see_student_id(user, student_id):
        # In a group session the mentor marks their own students; the others' mentors or the students do.
        raise NotFound("student_not_found", f"No student with id {student_id} among yours.")
    if s.status == "canceled":
        raise Conflict("session_canceled", "This session was canceled.")
    if student_id not in {a.id for a in schedules.attendees(s)}:
        raise Invalid(details={"student_id": ["Not an attendee of this session."]})
    # Lock the session so two first marks for one student (mentor and student at once) cannot collide.
    db.session.execute(select(Schedule.id).where(Schedule.id == s.id).with_for_update())
    row = db.session.scalar(
        select(Attendance).where(Attendance.schedule_id == s.id, Attendance.student_id == student_id)
    )
    old = {"student_id": student_id, "status": row.status} if row else None
    if row is None:
        row = Attendance(schedule_id=s.id, student_id=student_id, status=status, marked_by=user.id)
        db.session.add(row)
    elif row.status == status:
        return s
    row.status, row.marked_by, row.marked_at = status, user.id, now
    activity.audit("schedule", s.id, "attendance", user, old, {"student_id": student_id, "status": status})
    dashboard_queue.queue_refresh_for(row, "attendance:marked")
    activity.record(
        "attendance:marked",
        user,
        "schedule",
        s.id,
        student_id=student_id,
        mentor_id=s.mentor_id,
        payload={"status": status},
    )
    db.session.flush()
    db.session.refresh(s)
    payload = {"schedule_id": s.id, "student_id": student_id, "status": status, "marked_by": user.id}
    # To the student's own mentor, as the REST view: in a group session the session's mentor
    # may be someone else's, and must not learn this student's attendance.
    mentor_id = db.session.get(User, student_id).mentor_id
    rooms = [student_room(student_id), mentor_room(mentor_id) if mentor_id else None]
    outbox.record_to_rooms(events.ATTENDANCE_UPDATED, rooms, payload)
    if user.id != student_id:
        notifications.notify(
            db.session.get(User, student_id),
            notification_types.ATTENDANCE_MARKED,
            f"Attendance for {s.title}: {status}",
            "",
            {"schedule_id": s.id, "status": status},
        )
    commit()
    return s


def roster(user, schedule_id):
    """The session (one the caller sees) and its attendees the caller may see, each with their
    current mark or None: a mentor's own students in a group session of a mixed cohort."""
    s = schedules.visible_schedule(user, schedule_id)
    marks = {a.student_id: a for a in s.attendance}
    people = [p for p in schedules.attendees(s) if p is not None and access.can_see_student(user, p)]
    return s, [{"student": p, "mark": marks.get(p.id)} for p in people]
