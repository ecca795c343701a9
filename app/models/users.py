"""Users: every role in one table; a student has at most one mentor."""

import enum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Role(enum.StrEnum):
    STUDENT = "student"
    MENTOR = "mentor"
    EDUCATOR = "educator"
    ADMIN = "admin"


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        index=True,
    )
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Dashboard tiers: "free" sees premium fields as "upgrade_required"; enhanced access is
    # premium until this moment.
    tier: Mapped[str] = mapped_column(String(10), nullable=False, default="free", server_default="free")
    enhanced_access_until = mapped_column(UTCDateTime, nullable=True)
    # Tokens issued before this moment are refused: set at every deactivation, so a token
    # from before it does not work again after a reactivation (docs/security.md).
    tokens_valid_after = mapped_column(UTCDateTime, nullable=True)
    # IANA name; digests and "today" are computed in it.
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC", server_default="UTC")
    # The name certificates print (name is chosen freely by the user): fixed at the first
    # enrolment, afterwards changed by admins only (app/services/academy/legal_names.py).
    legal_name: Mapped[str | None] = mapped_column(String(120), nullable=True)

    mentor = relationship("User", remote_side=[id], foreign_keys=[mentor_id])
    cohort_memberships = relationship("CohortMember", back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def cohort_ids(self):
        return sorted(m.cohort_id for m in self.cohort_memberships)

    def __repr__(self):
        return f"<User {self.id} {self.role.value}>"
