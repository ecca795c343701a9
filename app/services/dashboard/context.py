"""Everything a dashboard is computed from, loaded once per refresh with a few indexed queries.

A StudentContext answers the few questions that reach past the student's own rows (their
readiness baseline, the cohort's size and roster, points, the inbox) with a query each;
batch.py's BatchContext answers the same questions from data loaded once for many students.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    DashboardSnapshot,
    Entry,
    Notification,
    Schedule,
    StudentAction,
    Task,
    User,
)

NOTIFICATIONS_SHOWN = 5
# Leaderboard points: done task 10, approved entry 15, habit logged in the last 30 days 1.
POINTS = {"task_done": 10, "entry_approved": 15, "habit": 1}

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

    def baseline(self):
        """The oldest readiness snapshot of the 7 days before today, or None."""
        today = self.now.date()
        return db.session.scalars(
            select(DashboardSnapshot)
            .where(
                DashboardSnapshot.student_id == self.student.id,
                DashboardSnapshot.day >= today - timedelta(days=7),
                DashboardSnapshot.day < today,
            )
            .order_by(DashboardSnapshot.day)
            .limit(1)
        ).first()

    def member_count(self):
        """How many members the student's (first) cohort has."""
        return db.session.scalar(select(func.count(CohortMember.id)).where(CohortMember.cohort_id == self.cohort.id))

    def roster(self):
        """{user id: name} of the active members of the student's (first) cohort."""
        return dict(
            db.session.execute(
                select(User.id, User.name)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == self.cohort.id, User.is_active.is_(True))
            ).all()
        )

    def points(self, student_ids):
        """{student id: leaderboard points} as of now."""
        return points_of(student_ids, self.now)

    def inbox(self):
        """(unread count, the newest few visible notifications)."""
        visible = (Notification.user_id == self.student.id, Notification.cleared_at.is_(None))
        unread = db.session.scalar(select(func.count(Notification.id)).where(*visible, Notification.read_at.is_(None)))
        rows = db.session.scalars(
            select(Notification).where(*visible).order_by(Notification.id.desc()).limit(NOTIFICATIONS_SHOWN)
        )
        return unread, list(rows)


def points_of(student_ids, now):
    """{student id: points}: done tasks, approved entries, habit days of the last 30 days."""

    def counts(query):
        return dict(db.session.execute(query).all())

    done = counts(
        select(Task.student_id, func.count())
        .where(Task.student_id.in_(student_ids), Task.status == "done")
        .group_by(Task.student_id)
    )
    approved = counts(
        select(Entry.student_id, func.count())
        .where(Entry.student_id.in_(student_ids), Entry.status == "approved")
        .group_by(Entry.student_id)
    )
    # A habit earns its point once a day, however often it is logged.
    habit_days = {}
    for sid, at in db.session.execute(
        select(StudentAction.student_id, StudentAction.created_at).where(
            StudentAction.student_id.in_(student_ids),
            StudentAction.action == "habit_logged",
            StudentAction.created_at >= now - timedelta(days=30),
        )
    ):
        habit_days.setdefault(sid, set()).add(at.date())
    habits = {sid: len(days) for sid, days in habit_days.items()}
    return {
        sid: POINTS["task_done"] * done.get(sid, 0)
        + POINTS["entry_approved"] * approved.get(sid, 0)
        + POINTS["habit"] * habits.get(sid, 0)
        for sid in student_ids
    }


def load(student, now, previous=None):
    """Load one student's tasks, entries, sessions, attendance, recent actions and cohort."""
    cohort_ids = list(
        db.session.scalars(
            select(CohortMember.cohort_id)
            .where(CohortMember.user_id == student.id)
            .order_by(CohortMember.joined_at, CohortMember.id)
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
            .order_by(Schedule.start_time, Schedule.id)
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
