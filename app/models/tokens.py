"""Revoked JWT ids: the durable half of the blocklist (Redis holds the fast half)."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class RevokedToken(db.Model):
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_type: Mapped[str] = mapped_column(String(10), nullable=False)
    # Kept until the token would have expired anyway; a periodic job prunes the rest.
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
    revoked_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
