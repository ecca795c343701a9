"""Crisis alerts: open -> acknowledged -> resolved, with every step on record."""

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
SEVERITIES = ("low", "medium", "high", "critical")
# What the mentor found: they reached the student, handed over to services, or nothing was wrong.
OUTCOMES = ("supported", "referred", "false_alarm")
# Why it was raised: the chatbot's label, Pulse's own text check, or both.
SOURCES = ("label", "text", "both")


class CrisisAlert(db.Model):
    __tablename__ = "crisis_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    # The student's current mentor: reassigning the student moves open alerts with them.
    # None means no mentor, and the admins are told instead.
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("chat_intents.id", ondelete="CASCADE"), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN, index=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_at = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The trigger: why it was raised, and what the text check matched (category keys, phrases).
    source: Mapped[str] = mapped_column(String(8), nullable=False, default="label", server_default="label")
    categories = mapped_column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    matched = mapped_column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    # The model's opinion of the first message when it fired: {"score", "threshold", "top_features"}.
    model = mapped_column(JSON, nullable=True)
    # One open alert per student: later crisis messages attach to it (AlertMessage), counted here.
    message_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # When the next escalation (or reminder) is due; None once resolved.
    next_check_at = mapped_column(UTCDateTime, nullable=True, index=True)

    steps = relationship("AlertStep", order_by="AlertStep.id", cascade="all, delete-orphan")
    messages = relationship("AlertMessage", order_by="AlertMessage.id", cascade="all, delete-orphan")
    intent = relationship("ChatIntent")
    student = relationship("User", foreign_keys=[student_id])


class AlertStep(db.Model):
    """One step in an alert's life: created, notified, escalated, reminded, acknowledged, resolved."""

    __tablename__ = "crisis_alert_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("crisis_alerts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class AlertMessage(db.Model):
    """One crisis message an alert holds: the first, and each one attached while it was open
    or acknowledged. Each keeps its own trigger (source, categories, matched, model)."""

    __tablename__ = "crisis_alert_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("crisis_alerts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    intent_id: Mapped[int] = mapped_column(ForeignKey("chat_intents.id", ondelete="CASCADE"), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    categories = mapped_column(JSON, nullable=False, default=list)
    matched = mapped_column(JSON, nullable=False, default=list)
    model = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    intent = relationship("ChatIntent")


class MissedCrisisReport(db.Model):
    """A message that should have alerted and did not, reported by the student's mentor or an
    admin. The next `flask crisis train` learns from it; the feedback export lists it."""

    __tablename__ = "crisis_missed_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    intent_id: Mapped[int] = mapped_column(
        ForeignKey("chat_intents.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    intent = relationship("ChatIntent")
