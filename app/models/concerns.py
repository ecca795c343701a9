"""Crisis concerns: the review tier under the page. open -> dismissed | raised (to an alert)."""

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

OPEN, DISMISSED, RAISED = "open", "dismissed", "raised"
STATUSES = (OPEN, DISMISSED, RAISED)


class CrisisConcern(db.Model):
    """A message with risk signals but no clear crisis, for the mentor to review."""

    __tablename__ = "crisis_concerns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    # The student's mentor when it was raised; access follows the student's current mentor.
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("chat_intents.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN, index=True)
    # What put it on the list: the text check's signals, or a chatbot concern label.
    source: Mapped[str] = mapped_column(String(8), nullable=False, default="text")
    categories = mapped_column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    matched = mapped_column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    reviewed_at = mapped_column(UTCDateTime, nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set when raised: the crisis alert it became.
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("crisis_alerts.id", ondelete="SET NULL"))
    # Set when the admins were told it was left unreviewed (once only).
    escalated_at = mapped_column(UTCDateTime, nullable=True)

    intent = relationship("ChatIntent")
    student = relationship("User", foreign_keys=[student_id])
