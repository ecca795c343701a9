"""Notification preferences and every email Pulse sends (the log the daily cap and digests read)."""

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

QUEUED, SENT, FAILED = "queued", "sent", "failed"


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # {"<type>": {"in_app": bool, "email": bool}}: only what the user changed; the rest is default.
    types = mapped_column(JSON, nullable=False, default=dict)
    email_digest: Mapped[str] = mapped_column(String(10), nullable=False, default="off")
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class EmailMessage(db.Model):
    __tablename__ = "email_messages"
    # A digest row carries its period ("digest:daily:2026-11-27"): one per user and period.
    __table_args__ = (
        UniqueConstraint("user_id", "period_key", name="uq_email_user_period"),
        Index("ix_email_messages_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    to_address: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    template: Mapped[str] = mapped_column(String(60), nullable=False)
    context = mapped_column(JSON, nullable=False, default=dict)
    critical: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    period_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True)
