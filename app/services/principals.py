"""Who a token belongs to, read from Redis so that the auth path and a socket's connect do
not touch the database on a hit.

A Principal holds what they need: active, role, cohort ids, mentor id, tier, and the fields
of GET /auth/me. The database stays the truth: a miss rebuilds the entry (SET NX, so a
reader holding an older row never overwrites a writer's rewrite), and every service that
changes one of these fields calls changed() inside its transaction; after the commit the
entry is rewritten from the database. With Redis down every read goes to the database.
"""

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

import redis
from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db, get_redis
from app.models import CohortMember, Role, User
from app.services import cache
from app.services.transaction import after_commit

log = logging.getLogger(__name__)


@dataclass
class Principal:
    """A user as the auth path sees them; quacks like User for the fields it carries."""

    id: int
    role: Role
    is_active: bool
    email: str
    name: str
    mentor_id: int | None = None
    cohort_ids: list = field(default_factory=list)
    tier: str = "free"
    timezone: str = "UTC"
    enhanced_access_until: datetime | None = None
    created_at: datetime | None = None

    def to_json(self):
        data = asdict(self)
        data["role"] = self.role.value
        for key in ("enhanced_access_until", "created_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw):
        data = json.loads(raw)
        data["role"] = Role(data["role"])
        for key in ("enhanced_access_until", "created_at"):
            data[key] = datetime.fromisoformat(data[key]) if data[key] is not None else None
        return cls(**data)


def from_database(user_id):
    """The Principal built from the database, or None for no such user."""
    user = db.session.get(User, user_id)
    if user is None:
        return None
    cohort_ids = sorted(db.session.scalars(select(CohortMember.cohort_id).where(CohortMember.user_id == user_id)))
    return Principal(
        id=user.id,
        role=user.role,
        is_active=user.is_active,
        email=user.email,
        name=user.name,
        mentor_id=user.mentor_id,
        cohort_ids=cohort_ids,
        tier=user.tier,
        timezone=user.timezone,
        enhanced_access_until=user.enhanced_access_until,
        created_at=user.created_at,
    )


_READ_AHEAD = "pulse_identity_read_ahead"


def read_ahead(user_id, raw):
    """The cached entry of `user_id` as just read (tokens.is_revoked reads it in its own round
    trip); the request's get(user_id) uses it once instead of asking Redis again."""
    if has_request_context():
        g.setdefault(_READ_AHEAD, {})[user_id] = raw


def get(user_id):
    """The Principal for `user_id` (Redis first), or None when the user does not exist."""
    key = cache.auth_user_key(user_id)
    ahead = g.get(_READ_AHEAD) if has_request_context() else None
    try:
        raw = ahead.pop(user_id) if ahead and user_id in ahead else get_redis().get(key)
    except redis.RedisError as exc:
        log.warning("identity cache read failed: %s", exc)
        return from_database(user_id)
    if raw is not None:
        return Principal.from_json(raw)
    principal = from_database(user_id)
    if principal is not None:
        _store(principal, overwrite=False)
    return principal


def for_token(payload):
    """The token's Principal if the user exists and is active, else None (the token is refused)."""
    sub = payload.get("sub")
    if not str(sub).isdigit():
        return None
    principal = get(int(sub))
    return principal if principal is not None and principal.is_active else None


def changed(*user_ids):
    """After the commit, rewrite the entries of `user_ids` from the database. The ORM hook
    below calls it for every flushed User or CohortMember, so services need not."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    if ids:
        after_commit(lambda: rewrite(*ids))


def rewrite(*user_ids):
    """Overwrite the entries of `user_ids` with what the database says now."""
    for user_id in user_ids:
        principal = from_database(user_id)
        if principal is None:
            cache.delete(cache.auth_user_key(user_id))
        else:
            _store(principal, overwrite=True)


# -- keeping entries current: every ORM write to a user or a cohort membership -------------
# A flush notes the users touched; the commit deletes their entries at once (SQLAlchemy's
# after_commit may not query), and a commit through services.transaction then rewrites them,
# which closes the window where a reader holding the old row could put it back.

_TOUCHED = "pulse_principals_touched"


def _note_changes(session, _flush_context):
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, User):
            touched.add(obj.id)
        elif isinstance(obj, CohortMember):
            touched.add(obj.user_id)
    touched.discard(None)
    if touched and not session.info.get(_TOUCHED + "_queued"):
        session.info[_TOUCHED + "_queued"] = True
        after_commit(lambda: rewrite(*sorted(touched)))


def _drop_entries(session):
    touched = session.info.pop(_TOUCHED, None)
    session.info.pop(_TOUCHED + "_queued", None)
    if touched:
        cache.delete(*(cache.auth_user_key(uid) for uid in touched))


def _forget(session, *_args):
    session.info.pop(_TOUCHED, None)
    session.info.pop(_TOUCHED + "_queued", None)


def register():
    """Install the ORM hooks once per process."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_commit", _drop_entries)
        event.listen(Session, "after_soft_rollback", _forget)


def _store(principal, overwrite):
    try:
        get_redis().set(cache.auth_user_key(principal.id), principal.to_json(), ex=cache.auth_ttl(), nx=not overwrite)
    except redis.RedisError as exc:
        log.warning("identity cache write failed: %s", exc)
