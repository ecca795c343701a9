"""Mentoring sessions (one student, or a group session for a cohort) and their attendance."""

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

SCHEDULE_STATUSES = ("scheduled", "completed", "canceled")
ATTENDANCE_STATUSES = ("present", "late", "absent", "excused")


class Schedule(db.Model):
    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ck_schedules_end_after_start"),
        Index("ix_schedules_mentor_start", "mentor_id", "start_time"),
        Index("ix_schedules_student_start", "student_id", "start_time"),
        Index("ix_schedules_cohort_start", "cohort_id", "start_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    # One student, or none for a group session held for a cohort.
    student_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    start_time = mapped_column(UTCDateTime, nullable=False)
    end_time = mapped_column(UTCDateTime, nullable=False)
    focus_stack: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="scheduled")
    is_group: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    attendance = relationship("Attendance", order_by="Attendance.student_id", cascade="all, delete-orphan")


class Attendance(db.Model):
    """One student's attendance at one session; the mentor marks it, or the student during the session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("schedule_id", "student_id", name="uq_attendance_schedule_student"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), nullable=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
