"""Who a token belongs to, read from Redis so that the auth path and a socket's connect do
not touch the database on a hit.

A Principal holds what they need: active, role, cohort ids, mentor id, tier, and the fields
of GET /auth/me. The database stays the truth: a miss rebuilds the entry (SET NX, so a
reader holding an older row never overwrites a writer's rewrite), and every service that
changes one of these fields calls changed() inside its transaction; after the commit the
entry is rewritten from the database. With Redis down every read goes to the database.
"""

import functools
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime

import redis
from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db, get_redis
from app.models import CohortMember, Enrolment, Role, User
from app.models.academy import ACTIVE
from app.services.shared import cache
from app.services.shared.transaction import after_commit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """A user as the auth path sees them; quacks like User for the fields it carries.

    Immutable (tuples for the id lists): one parsed entry is shared by every request that
    reads the same cached JSON (see from_json), and it can serve as a cache key."""

    id: int
    role: Role
    is_active: bool
    email: str
    name: str
    mentor_id: int | None = None
    cohort_ids: tuple = ()
    course_ids: tuple = ()  # courses actively enrolled in (course rooms)
    tier: str = "free"
    timezone: str = "UTC"
    enhanced_access_until: datetime | None = None
    created_at: datetime | None = None
    # epoch seconds: tokens issued at or before it are refused (the last deactivation)
    tokens_valid_after: float | None = None

    def to_json(self):
        data = asdict(self)
        data["role"] = self.role.value
        for key in ("enhanced_access_until", "created_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return json.dumps(data)

    @staticmethod
    def from_json(raw):
        """The cached Principal, or None for an entry an older release wrote (missing fields)."""
        return _parsed(raw)


FIELDS = {f.name for f in fields(Principal)}
MAX_PARSED = 2048  # about 1 KB each with the JSON it is keyed by: 2 MB at most, whatever the sockets held


@functools.lru_cache(maxsize=MAX_PARSED)
def _parsed(raw):
    # Every signed-in request parses its user's entry; a dashboard repeats the same entry for
    # hours, and a Principal is immutable, so the parse of a given text is kept.
    data = json.loads(raw)
    if not FIELDS <= data.keys():
        return None
    data["role"] = Role(data["role"])
    data["cohort_ids"], data["course_ids"] = tuple(data["cohort_ids"]), tuple(data["course_ids"])
    for key in ("enhanced_access_until", "created_at"):
        data[key] = datetime.fromisoformat(data[key]) if data[key] is not None else None
    return Principal(**data)


def from_database(user_id):
    """The Principal built from the database, or None for no such user."""
    return from_database_many([user_id]).get(user_id)


def from_database_many(user_ids):
    """{user id: Principal} for those of `user_ids` that exist, in three queries."""
    # populate_existing: rows this session already holds are re-read, not taken from memory
    query = select(User).where(User.id.in_(user_ids)).execution_options(populate_existing=True)
    users = db.session.scalars(query).all()
    cohorts, courses = {}, {}
    for user_id, cohort_id in db.session.execute(
        select(CohortMember.user_id, CohortMember.cohort_id).where(CohortMember.user_id.in_(user_ids))
    ):
        cohorts.setdefault(user_id, []).append(cohort_id)
    for user_id, course_id in db.session.execute(
        select(Enrolment.student_id, Enrolment.course_id).where(
            Enrolment.student_id.in_(user_ids), Enrolment.status == ACTIVE
        )
    ):
        courses.setdefault(user_id, []).append(course_id)
    return {
        user.id: Principal(
            id=user.id,
            role=user.role,
            is_active=user.is_active,
            email=user.email,
            name=user.name,
            mentor_id=user.mentor_id,
            cohort_ids=tuple(sorted(cohorts.get(user.id, []))),
            course_ids=tuple(sorted(courses.get(user.id, []))),
            tier=user.tier,
            timezone=user.timezone,
            enhanced_access_until=user.enhanced_access_until,
            created_at=user.created_at,
            tokens_valid_after=_epoch(user.tokens_valid_after),
        )
        for user in users
    }


class MissBatch:
    """Cache misses that arrive together are read from the database together.

    In a connect storm with a cold cache thousands of greenlets miss at once; one query each,
    every one holding a pooled connection while it waited for its turn on the CPU, ran the
    pool dry (connects failed). The first miss of a batch yields once, so the misses that
    arrive meanwhile join it, then reads them all at once and hands each its entry.
    One batch reads at a time and the next keeps taking ids until its turn: several leaders
    each waiting on a small pool timed out there (a storm's connect then got no answer).
    Without greenlets (worker, CLI, tests) a batch is simply the one miss."""

    MAX = 500  # ids per batch (one IN list)
    WAIT = 20  # seconds a miss waits for its batch before reading on its own

    def __init__(self):
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # held by the batch being read
        self._open = None  # the batch still taking ids

    def load(self, user_id):
        with self._lock:
            batch = self._open
            leader = batch is None or len(batch["ids"]) >= self.MAX
            if leader:
                batch = self._open = {"ids": {user_id}, "done": threading.Event(), "found": None}
            else:
                batch["ids"].add(user_id)
        if not leader:
            if batch["done"].wait(self.WAIT) and batch["found"] is not None:
                return batch["found"].get(user_id)
            return from_database(user_id)  # the batch failed or is stuck: on our own
        time.sleep(0)  # under gevent/eventlet: let the misses arriving meanwhile join
        with self._reading:  # the batch before ours is read first; ours still takes ids
            with self._lock:
                if self._open is batch:
                    self._open = None
            try:
                batch["found"] = from_database_many(sorted(batch["ids"]))
            finally:
                batch["done"].set()
        _store(batch["found"].values(), overwrite=False)
        return batch["found"].get(user_id)


_misses = MissBatch()


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
    principal = Principal.from_json(raw) if raw is not None else None
    if principal is not None:
        return principal
    if raw is not None:  # an older release's entry: make room for the rebuilt one (SET NX)
        cache.delete(key)
    return _misses.load(user_id)


def subject_id(claims):
    """The user id a token's claims name (its numeric `sub`), or None."""
    sub = str(claims.get("sub", ""))
    return int(sub) if sub.isdigit() else None


def _epoch(moment):
    return moment.timestamp() if moment is not None else None


def speaks_for(payload, user):
    """Whether a token's claims still speak for `user` (a Principal or a User row): the user
    exists and is active, the token's role claim is their role now (a token minted before a
    promotion or a demotion is refused), and it was issued after their last deactivation (a
    reactivation does not revive older tokens)."""
    if user is None or not user.is_active or payload.get("role") != user.role.value:
        return False
    valid_after = user.tokens_valid_after
    if isinstance(valid_after, datetime):
        valid_after = valid_after.timestamp()
    if valid_after is None:
        return True
    issued_at = payload.get("iat")
    return isinstance(issued_at, int | float) and issued_at > valid_after


def for_token(payload):
    """The token's Principal if the token still speaks for the user (speaks_for), else None
    (the token is refused)."""
    user_id = subject_id(payload)
    if user_id is None:
        return None
    principal = get(user_id)
    return principal if speaks_for(payload, principal) else None


def changed(*user_ids):
    """After the commit, rewrite the entries of `user_ids` from the database. The ORM hook
    below calls it for every flushed User or CohortMember, so services need not."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    if ids:
        after_commit(lambda: rewrite(*ids))


def rewrite(*user_ids):
    """Overwrite the entries of `user_ids` with what the database says now."""
    found = from_database_many(user_ids)
    gone = [cache.auth_user_key(uid) for uid in user_ids if uid not in found]
    if gone:
        cache.delete(*gone)
    _store(found.values(), overwrite=True)


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
        elif isinstance(obj, Enrolment):
            touched.add(obj.student_id)
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


def _store(principals, overwrite):
    """Write entries in one round trip: a rewrite after a change overwrites; entries rebuilt
    after misses are SET NX, never over a writer's rewrite."""
    try:
        pipe = get_redis().pipeline(transaction=False)
        for principal in principals:
            pipe.set(cache.auth_user_key(principal.id), principal.to_json(), ex=cache.auth_ttl(), nx=not overwrite)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("identity cache write failed: %s", exc)
