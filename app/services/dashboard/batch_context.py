"""The inputs of many students' dashboards, loaded with a fixed number of set-based queries.

load_many() reads every section's inputs for a batch of students at once (memberships,
cohorts, tasks, entries, sessions, attendance, actions, readiness baselines, cohort sizes
and rosters, points, inboxes): about 15 statements whatever the batch size, instead of
about 20 per student. Each student gets a BatchContext, a StudentContext whose questions
are answered from that data; the sections cannot tell the difference, which is what makes
the batch refresh equal to the per-student one (tests/services/test_dashboard_batch.py).
"""

from dataclasses import dataclass, field
from datetime import timedelta

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
from app.services.dashboard.context import (
    ACTIONS_WINDOW_DAYS,
    NOTIFICATIONS_SHOWN,
    SESSIONS_AHEAD_DAYS,
    StudentContext,
    points_of,
)


@dataclass
class Shared:
    """What the batch's students look up in each other's data."""

    baselines: dict = field(default_factory=dict)  # student id -> oldest snapshot of the last 7 days
    member_counts: dict = field(default_factory=dict)  # cohort id -> members
    rosters: dict = field(default_factory=dict)  # cohort id -> {active member id: name}
    points: dict = field(default_factory=dict)  # student id -> points (batch students and roster members)
    inboxes: dict = field(default_factory=dict)  # student id -> (unread, newest rows)


@dataclass
class BatchContext(StudentContext):
    shared: Shared | None = None

    def baseline(self):
        return self.shared.baselines.get(self.student.id)

    def member_count(self):
        return self.shared.member_counts.get(self.cohort.id, 0)

    def roster(self):
        return dict(self.shared.rosters.get(self.cohort.id, {}))

    def points(self, student_ids):
        return {sid: self.shared.points[sid] for sid in student_ids}

    def inbox(self):
        return self.shared.inboxes.get(self.student.id, (0, []))


def _grouped(rows, key):
    out = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


def load_many(students, now, previous=None):
    """{student id: BatchContext} for these User rows as of `now` (one `now` for all)."""
    previous = previous or {}
    ids = [s.id for s in students]
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    memberships = {}
    for user_id, cohort_id in db.session.execute(
        select(CohortMember.user_id, CohortMember.cohort_id)
        .where(CohortMember.user_id.in_(ids))
        .order_by(CohortMember.joined_at, CohortMember.id)
    ):
        memberships.setdefault(user_id, []).append(cohort_id)
    all_cohorts = sorted({c for cs in memberships.values() for c in cs})
    first_cohorts = sorted({cs[0] for cs in memberships.values()})
    cohorts = {c.id: c for c in db.session.scalars(select(Cohort).where(Cohort.id.in_(first_cohorts)))}

    def by_student(model, *where, order=None):
        query = select(model).where(model.student_id.in_(ids), *where)
        return _grouped(db.session.scalars(query.order_by(*(order or ()))), lambda r: r.student_id)

    tasks = by_student(Task, order=(Task.id,))
    entries = by_student(Entry, order=(Entry.id,))
    attendance = by_student(Attendance)
    since = now - timedelta(days=ACTIONS_WINDOW_DAYS)
    actions = by_student(StudentAction, StudentAction.created_at >= since, order=(StudentAction.id,))
    whose = Schedule.student_id.in_(ids)
    if all_cohorts:
        whose = or_(whose, Schedule.cohort_id.in_(all_cohorts))
    sessions = list(
        db.session.scalars(
            select(Schedule)
            .where(
                whose,
                Schedule.start_time >= today_start,
                Schedule.start_time < today_start + timedelta(days=SESSIONS_AHEAD_DAYS),
            )
            .order_by(Schedule.start_time, Schedule.id)
        )
    )
    shared = _shared(ids, first_cohorts, now)
    out = {}
    for student in students:
        sid, mine = student.id, memberships.get(student.id, [])
        ctx = BatchContext(student=student, now=now, cohort_ids=list(mine), previous=previous.get(sid), shared=shared)
        ctx.cohort = cohorts.get(mine[0]) if mine else None
        ctx.tasks = tasks.get(sid, [])
        ctx.entries = entries.get(sid, [])
        member_of = set(mine)
        ctx.sessions = [s for s in sessions if s.student_id == sid or s.cohort_id in member_of]
        ctx.attendance = attendance.get(sid, [])
        ctx.actions = actions.get(sid, [])
        out[sid] = ctx
    return out


def _shared(ids, cohort_ids, now):
    shared = Shared()
    today = now.date()
    for snap in db.session.scalars(
        select(DashboardSnapshot)
        .where(
            DashboardSnapshot.student_id.in_(ids),
            DashboardSnapshot.day >= today - timedelta(days=7),
            DashboardSnapshot.day < today,
        )
        .order_by(DashboardSnapshot.student_id, DashboardSnapshot.day)
    ):
        shared.baselines.setdefault(snap.student_id, snap)  # the oldest comes first
    if cohort_ids:
        shared.member_counts = dict(
            db.session.execute(
                select(CohortMember.cohort_id, func.count(CohortMember.id))
                .where(CohortMember.cohort_id.in_(cohort_ids))
                .group_by(CohortMember.cohort_id)
            ).all()
        )
        for cohort_id, user_id, name in db.session.execute(
            select(CohortMember.cohort_id, User.id, User.name)
            .join(User, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id.in_(cohort_ids), User.is_active.is_(True))
        ):
            shared.rosters.setdefault(cohort_id, {})[user_id] = name
    everyone = sorted(set(ids) | {sid for roster in shared.rosters.values() for sid in roster})
    shared.points = points_of(everyone, now)
    shared.inboxes = _inboxes(ids)
    return shared


def _inboxes(ids):
    """{student id: (unread count, newest NOTIFICATIONS_SHOWN visible rows)} in two queries."""
    visible = (Notification.user_id.in_(ids), Notification.cleared_at.is_(None))
    unread = dict(
        db.session.execute(
            select(Notification.user_id, func.count(Notification.id))
            .where(*visible, Notification.read_at.is_(None))
            .group_by(Notification.user_id)
        ).all()
    )
    ranked = (
        select(
            Notification.id,
            func.row_number()
            .over(partition_by=Notification.user_id, order_by=Notification.id.desc())
            .label("position"),
        )
        .where(*visible)
        .subquery()
    )
    newest = _grouped(
        db.session.scalars(
            select(Notification)
            .join(ranked, ranked.c.id == Notification.id)
            .where(ranked.c.position <= NOTIFICATIONS_SHOWN)
            .order_by(Notification.user_id, Notification.id.desc())
        ),
        lambda n: n.user_id,
    )
    return {sid: (unread.get(sid, 0), newest.get(sid, [])) for sid in ids}
