"""Cohorts: named groups of students."""

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Students may join by themselves when the cohort is open, or when they give its join code.
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    join_code: Mapped[str | None] = mapped_column(String(64), nullable=True)

    members = relationship("CohortMember", back_populates="cohort", cascade="all, delete-orphan")


class CohortMember(db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_cohort_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    joined_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    cohort = relationship("Cohort", back_populates="members")
    user = relationship("User", back_populates="cohort_memberships")
