"""The portal's figures in the mentor's views: entries, tasks and attendance in a student's
insights, and portal work as "last activity" in the students list."""

from sqlalchemy import func, select, union_all

from app.extensions import db
from app.models import Attendance, Entry, Task, iso, utcnow
from app.services.portal import insights, mentors


def student_figures(student_id):
    """Entries by status, open/overdue/done tasks, and attendance for one student."""
    now = utcnow()
    entries = dict(
        db.session.execute(
            select(Entry.status, func.count(Entry.id)).where(Entry.student_id == student_id).group_by(Entry.status)
        ).all()
    )
    tasks = db.session.scalars(select(Task).where(Task.student_id == student_id)).all()
    done = [t for t in tasks if t.status == "done"]
    attendance = dict(
        db.session.execute(
            select(Attendance.status, func.count(Attendance.id))
            .where(Attendance.student_id == student_id)
            .group_by(Attendance.status)
        ).all()
    )
    marked = sum(attendance.values())
    attended = attendance.get("present", 0) + attendance.get("late", 0)
    return {
        "entries": {
            "total": sum(entries.values()),
            **{s: entries.get(s, 0) for s in ("pending", "approved", "needs_revision", "rejected")},
        },
        "tasks": {
            "open": sum(1 for t in tasks if t.status == "open"),
            "overdue": sum(1 for t in tasks if t.status == "open" and t.due_at and t.due_at < now),
            "done": len(done),
            "done_on_time": sum(1 for t in done if t.due_at is None or t.completed_at <= t.due_at),
        },
        "attendance": {
            "marked": marked,
            **{s: attendance.get(s, 0) for s in ("present", "late", "absent", "excused")},
            "rate": round(attended / marked, 2) if marked else None,
        },
        "last_entry_at": iso(
            db.session.scalar(select(func.max(Entry.created_at)).where(Entry.student_id == student_id))
        ),
    }


def last_portal_activity(student_ids):
    """The latest entry, completed task or attendance mark per student (one statement)."""
    latest = {}
    parts = [
        select(key.label("student_id"), func.max(column).label("at")).where(key.in_(student_ids)).group_by(key)
        for column, key in (
            (Entry.updated_at, Entry.student_id),
            (Task.completed_at, Task.student_id),
            (Attendance.marked_at, Attendance.student_id),
        )
    ]
    for student_id, at in db.session.execute(union_all(*parts)).all():
        if at and (student_id not in latest or at > latest[student_id]):
            latest[student_id] = at
    return latest


def register():
    """Plug these figures into the mentor's insights and students list (idempotent)."""
    insights.register_section("portal", student_figures)
    if last_portal_activity not in mentors.ACTIVITY_SOURCES:
        mentors.ACTIVITY_SOURCES.append(last_portal_activity)
