"""Everything a dashboard is computed from, loaded once per refresh with a few indexed queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Attendance, Cohort, CohortMember, Entry, Schedule, StudentAction, Task, User

ACTIONS_WINDOW_DAYS = 30
SESSIONS_AHEAD_DAYS = 14


@dataclass
class StudentContext:
    student: User
    now: datetime
    tasks: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    sessions: list = field(default_factory=list)  # today's and upcoming, the student's own and their cohorts'
    attendance: list = field(default_factory=list)
    actions: list = field(default_factory=list)  # the last 30 days, oldest first
    cohort: Cohort | None = None
    cohort_ids: list = field(default_factory=list)
    previous: dict | None = None  # the last stored aggregate, for providers that fail

    @property
    def today_start(self):
        return self.now.replace(hour=0, minute=0, second=0, microsecond=0)

    @property
    def open_tasks(self):
        return [t for t in self.tasks if t.status == "open"]

    def overdue_tasks(self):
        return sorted(
            (t for t in self.open_tasks if t.due_at is not None and t.due_at < self.now), key=lambda t: t.due_at
        )

    def sessions_today(self):
        end = self.today_start + timedelta(days=1)
        return [s for s in self.sessions if s.status == "scheduled" and self.today_start <= s.start_time < end]

    def entries_with(self, status):
        return [e for e in self.entries if e.status == status]

    def actions_of(self, name, days=7):
        since = self.now - timedelta(days=days)
        return [a for a in self.actions if a.action == name and a.created_at >= since]


def load(student, now, previous=None):
    """Load one student's tasks, entries, sessions, attendance, recent actions and cohort."""
    cohort_ids = list(
        db.session.scalars(
            select(CohortMember.cohort_id).where(CohortMember.user_id == student.id).order_by(CohortMember.joined_at)
        )
    )
    ctx = StudentContext(student=student, now=now, cohort_ids=cohort_ids, previous=previous)
    ctx.cohort = db.session.get(Cohort, cohort_ids[0]) if cohort_ids else None
    ctx.tasks = list(db.session.scalars(select(Task).where(Task.student_id == student.id).order_by(Task.id)))
    ctx.entries = list(db.session.scalars(select(Entry).where(Entry.student_id == student.id).order_by(Entry.id)))
    whose = Schedule.student_id == student.id
    if cohort_ids:
        whose = or_(whose, Schedule.cohort_id.in_(cohort_ids))
    ctx.sessions = list(
        db.session.scalars(
            select(Schedule)
            .where(
                whose,
                Schedule.start_time >= ctx.today_start,
                Schedule.start_time < ctx.today_start + timedelta(days=SESSIONS_AHEAD_DAYS),
            )
            .order_by(Schedule.start_time)
        )
    )
    ctx.attendance = list(db.session.scalars(select(Attendance).where(Attendance.student_id == student.id)))
    ctx.actions = list(
        db.session.scalars(
            select(StudentAction)
            .where(
                StudentAction.student_id == student.id,
                StudentAction.created_at >= now - timedelta(days=ACTIONS_WINDOW_DAYS),
            )
            .order_by(StudentAction.id)
        )
    )
    return ctx
