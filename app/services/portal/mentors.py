"""The mentor's view of their students."""

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import ChatIntent, CohortMember, CrisisAlert, Entry, Role, Schedule, Task, User, iso, utcnow
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
    """This mentor's students with their open-alert counts and last activity.

    A fixed number of statements whatever the number of students (the console's overview
    is the mentor's busiest page): the students with their open-alert counts in one, their
    cohorts in one, then one per source of "last activity"."""
    open_alerts = (
        select(func.count(CrisisAlert.id))
        .where(CrisisAlert.student_id == User.id, CrisisAlert.status != RESOLVED)
        .correlate(User)
        .scalar_subquery()
    )
    students = db.session.execute(
        select(User.id, User.name, User.email, User.is_active, open_alerts)
        .where(User.mentor_id == mentor.id, User.role == Role.STUDENT)
        .order_by(User.name, User.id)
    ).all()
    ids = [s.id for s in students]
    if not ids:
        return []
    cohorts = {}
    for user_id, cohort_id in db.session.execute(
        select(CohortMember.user_id, CohortMember.cohort_id)
        .where(CohortMember.user_id.in_(ids))
        .order_by(CohortMember.cohort_id)
    ):
        cohorts.setdefault(user_id, []).append(cohort_id)
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
            "cohort_ids": cohorts.get(s.id, []),
            "is_active": s.is_active,
            "open_alerts": s[4],
            "last_activity_at": iso(last.get(s.id)),
        }
        for s in students
    ]


def console_counters(student_ids, now=None):
    """For the mentor's console: per student, entries waiting for review, open tasks and the
    next scheduled session, 1:1 or a group session of one of their cohorts (one statement,
    whatever the number of students)."""
    if not student_ids:
        return {}
    now = now or utcnow()

    def per_student(column, *where):
        return select(column).where(*where).correlate(User).scalar_subquery()

    rows = db.session.execute(
        select(
            User.id,
            per_student(func.count(Entry.id), Entry.student_id == User.id, Entry.status == "pending"),
            per_student(func.count(Task.id), Task.student_id == User.id, Task.status == "open"),
            per_student(
                func.min(Schedule.start_time),
                or_(
                    Schedule.student_id == User.id,
                    Schedule.cohort_id.in_(
                        select(CohortMember.cohort_id).where(CohortMember.user_id == User.id).correlate(User)
                    ),
                ),
                Schedule.status == "scheduled",
                Schedule.start_time > now,
            ),
        ).where(User.id.in_(student_ids))
    ).all()
    found = {sid: (pending, tasks, upcoming) for sid, pending, tasks, upcoming in rows}
    counters = {}
    for sid in student_ids:
        pending, tasks, upcoming = found.get(sid, (0, 0, None))
        counters[sid] = {"entries_to_review": pending, "open_tasks": tasks, "next_session_at": iso(upcoming)}
    return counters
