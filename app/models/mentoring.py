"""Mentoring work: a student's entries (reviewed by the mentor), comments on them, tasks."""

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

ENTRY_STATUSES = ("pending", "approved", "needs_revision", "rejected")
REVIEW_STATUSES = ("approved", "needs_revision", "rejected")
TASK_STATUSES = ("open", "done")


class Entry(db.Model):
    """A student's work or journal entry. `skills` tags feed the student's readiness."""

    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_student_status", "student_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    history = relationship("EntryStatusChange", order_by="EntryStatusChange.id", cascade="all, delete-orphan")
    comments = relationship("Comment", order_by="Comment.id", cascade="all, delete-orphan")


class EntryStatusChange(db.Model):
    """One review step of an entry: from, to, who, when, and the reviewer's comment."""

    __tablename__ = "entry_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Comment(db.Model):
    __tablename__ = "entry_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Task(db.Model):
    """Work a mentor assigns to one of their students. `skills` tags feed readiness."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_student_status", "student_id", "status"),
        Index("ix_tasks_mentor_status_due", "mentor_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    est_hours: Mapped[float | None] = mapped_column(db.Float)
    due_at = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    completed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
