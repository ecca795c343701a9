"""Outbox: live events written in the same transaction as the change they announce.

Socket.IO delivers at most once and Redis pub/sub drops what nobody heard, so every event
that must not be lost is stored here first; the relay publishes it and marks it sent.
"""

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    room: Mapped[str] = mapped_column(String(64), nullable=False)
    payload = mapped_column(JSON, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
