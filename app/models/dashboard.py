"""Student dashboard: the cached aggregate, the refresh queue, daily readiness, student actions."""

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# Lower rank = drained first.
PRIORITIES = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class StudentDashboardCache(db.Model):
    """One denormalised row per student: the whole aggregate as last computed."""

    __tablename__ = "student_dashboard_cache"

    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


class DashboardUpdateQueue(db.Model):
    """A pending (processed_at NULL) or done refresh. At most one pending row per student."""

    __tablename__ = "dashboard_update_queue"
    __table_args__ = (
        Index(
            "uq_dashboard_queue_pending",
            "student_id",
            unique=True,
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
        Index("ix_dashboard_queue_pending_order", "processed_at", "priority_rank", "queued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    priority: Mapped[str] = mapped_column(String(10), nullable=False)
    priority_rank: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    reason: Mapped[str] = mapped_column(String(80), nullable=False)
    queued_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    processed_at = mapped_column(UTCDateTime, nullable=True)


class DashboardSnapshot(db.Model):
    """A student's readiness on one day: the 7-day trend and time-to-ready come from these."""

    __tablename__ = "dashboard_snapshots"
    __table_args__ = (UniqueConstraint("student_id", "day", name="uq_dashboard_snapshot_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    day = mapped_column(Date, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    skills: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class StudentAction(db.Model):
    """Something the student did on the dashboard (mission started, habit logged, ...)."""

    __tablename__ = "student_actions"
    __table_args__ = (Index("ix_student_actions_student_created", "student_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


# A student's dashboard actions (POST /student/dashboard/action): action -> refresh priority
ACTIONS = {
    "mission_started": "normal",
    "mission_completed": "high",
    "entry_submitted": "high",
    "habit_logged": "normal",
    "goal_set": "normal",
    "session_joined": "normal",
    "resource_viewed": "low",
}
# The dashboard specification's verbs, accepted as they are and stored under Pulse's names.
ALIASES = {
    "start_mission": "mission_started",
    "complete_mission": "mission_completed",
    "submit_entry": "entry_submitted",
    "log_habit": "habit_logged",
    "set_goal": "goal_set",
    "join_session": "session_joined",
    "view_resource": "resource_viewed",
}
