"""The mentor's view of their students."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChatIntent, CrisisAlert, Entry, Role, Schedule, Task, User, iso, utcnow
from app.models.alerts import RESOLVED

# Later parts add sources of "last activity" (entries, tasks): fn(student_ids) -> {id: datetime}
ACTIVITY_SOURCES = []


def _last_chat(student_ids):
    rows = db.session.execute(
        select(ChatIntent.student_id, func.max(ChatIntent.created_at))
        .where(ChatIntent.student_id.in_(student_ids))
        .group_by(ChatIntent.student_id)
    )
    return dict(rows.all())


def students_overview(mentor):
    """This mentor's students with their open-alert counts and last activity."""
    students = db.session.scalars(
        select(User).where(User.mentor_id == mentor.id, User.role == Role.STUDENT).order_by(User.name, User.id)
    ).all()
    ids = [s.id for s in students]
    if not ids:
        return []
    open_alerts = dict(
        db.session.execute(
            select(CrisisAlert.student_id, func.count(CrisisAlert.id))
            .where(CrisisAlert.student_id.in_(ids), CrisisAlert.status != RESOLVED)
            .group_by(CrisisAlert.student_id)
        ).all()
    )
    last = {}
    for source in [_last_chat, *ACTIVITY_SOURCES]:
        for student_id, at in source(ids).items():
            if at and (student_id not in last or at > last[student_id]):
                last[student_id] = at
    return [
        {
            "id": s.id,
            "name": s.name,
            "email": s.email,
            "cohort_ids": s.cohort_ids,
            "is_active": s.is_active,
            "open_alerts": open_alerts.get(s.id, 0),
            "last_activity_at": iso(last.get(s.id)),
        }
        for s in students
    ]


def _counts(column, *where):
    return dict(db.session.execute(select(column, func.count()).where(*where).group_by(column)).all())


def console_counters(student_ids, now=None):
    """For the mentor's console: per student, entries waiting for review, open tasks and the
    next scheduled 1:1 session (three grouped queries, whatever the number of students)."""
    if not student_ids:
        return {}
    now = now or utcnow()
    pending = _counts(Entry.student_id, Entry.student_id.in_(student_ids), Entry.status == "pending")
    tasks = _counts(Task.student_id, Task.student_id.in_(student_ids), Task.status == "open")
    upcoming = dict(
        db.session.execute(
            select(Schedule.student_id, func.min(Schedule.start_time))
            .where(Schedule.student_id.in_(student_ids), Schedule.status == "scheduled", Schedule.start_time > now)
            .group_by(Schedule.student_id)
        ).all()
    )
    return {
        sid: {
            "entries_to_review": pending.get(sid, 0),
            "open_tasks": tasks.get(sid, 0),
            "next_session_at": iso(upcoming.get(sid)),
        }
        for sid in student_ids
    }
