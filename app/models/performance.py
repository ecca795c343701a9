"""Derived performance figures kept by RQ jobs, and stored exports."""

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class PerformanceCache(db.Model):
    """Figures for one scope: `section:<id>` or `overview:<educator id|all>`.

    A write bumps data_version in its own transaction; the figures are fresh while
    computed_version equals it (so a stale row is never served as cached)."""

    __tablename__ = "performance_cache"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    data_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    computed_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    figures: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # Per-student exam percentages by date (trends): only drill-downs need them, the
    # overview merge does not, so they are kept apart and loaded on request.
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True, deferred=True)
    computed_at = mapped_column(UTCDateTime, nullable=True)


class StudentPerformanceSummary(db.Model):
    """A student's figures over all their sections, and when each at-risk notice last went out."""

    __tablename__ = "student_performance_summaries"

    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    average: Mapped[float | None] = mapped_column(Float)
    subject_averages: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    attendance_percentage: Mapped[float | None] = mapped_column(Float)
    trend: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(2))
    at_risk_reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # "<reason>|<recipient id>" -> ISO time of the last at_risk notification (once a week)
    notified: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    computed_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PerformanceExport(db.Model):
    """A PDF export: queued, rendered by a job, stored here so it survives a restart."""

    __tablename__ = "performance_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(40), nullable=False)
    format: Mapped[str] = mapped_column(String(8), nullable=False, default="pdf")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    content = mapped_column(LargeBinary, nullable=True)
    # What the figures looked like when asked for (the scope's section data versions, hashed):
    # an identical request finds this export while it is valid and nothing has changed since.
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    completed_at = mapped_column(UTCDateTime, nullable=True)
