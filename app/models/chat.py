"""What the chatbot tells us: every intent it classified, and idempotency records."""

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ChatIntent(db.Model):
    __tablename__ = "chat_intents"
    __table_args__ = (Index("ix_chat_intents_student_created", "student_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    intent: Mapped[str] = mapped_column(String(64), nullable=False)
    confidence: Mapped[float] = mapped_column(Float, nullable=False)
    severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    is_crisis: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # "label", "text" or "label+text": why it counted as a crisis
    crisis_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IdempotencyRecord(db.Model):
    """The first answer to a request sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)  # who called
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    response = mapped_column(JSON, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
