"""Notifications: every user's durable inbox."""

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # also the live event id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data = mapped_column(JSON, nullable=False, default=dict)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at = mapped_column(UTCDateTime, nullable=True)
    # Set on crisis notifications: while that alert is open, the notification stays pinned.
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("crisis_alerts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Cleared from the inbox by its owner; kept on record (crisis history depends on it).
    cleared_at = mapped_column(UTCDateTime, nullable=True)
