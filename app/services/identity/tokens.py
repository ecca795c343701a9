"""Token revocation: the database is the record, Redis the fast path.

Redis holds every revoked, unexpired jti plus a marker saying the set is complete. After a
Redis restart the marker is gone, so the next check reloads the set from the database.
If neither store answers, the token counts as revoked (fail closed).
"""

import logging
import threading
from datetime import UTC, datetime

import redis
from flask import g, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, get_redis
from app.models import RevokedToken, utcnow
from app.services.identity import principals
from app.services.shared import cache
from app.services.shared.errors import Unavailable
from app.services.shared.pruning import delete_in_batches

log = logging.getLogger(__name__)

LOADED_TTL = 3600


def revoke(payload):
    """Revoke the token whose decoded payload is given: database first, then Redis."""
    expires_at = datetime.fromtimestamp(payload["exp"], tz=UTC)
    if db.session.get(RevokedToken, payload["jti"]) is None:
        db.session.add(
            RevokedToken(
                jti=payload["jti"],
                user_id=principals.subject_id(payload),
                token_type=payload.get("type", "access"),
                expires_at=expires_at,
            )
        )
    db.session.commit()
    _cache_revoked(payload["jti"], expires_at)


def _cache_revoked(jti, expires_at):
    ttl = max(int((expires_at - utcnow()).total_seconds()), 1)
    try:
        get_redis().set(cache.revoked_key(jti), 1, ex=ttl)
    except redis.RedisError:
        log.warning("Redis unavailable; revocation of %s is in the database only", jti)


def is_revoked(jti, user_id=None):
    """Whether the token `jti` is revoked. With `user_id`, the same round trip also reads
    that user's cached identity, for principals.get() next (the request's user lookup)."""
    answered = g.pop(_ANSWERED, {}).pop(jti, None) if has_request_context() else None
    if answered is not None:  # check_ahead() already asked, in the request's first round trip
        return answered
    try:
        # One round trip for every answer: this runs on every authenticated request.
        keys = _keys(jti, user_id)
        pipe = get_redis().pipeline(transaction=False)
        pipe.exists(keys[0]).exists(keys[1])
        if user_id is not None:
            pipe.get(keys[2])
        return _answer(jti, user_id, *pipe.execute())
    except redis.RedisError:
        return _revoked_in_database(jti)


_ANSWERED = "pulse_revocation_answers"


def check_ahead(claims):
    """For another round trip to read this token's revocation and its user's identity
    (api/gate.py counts the request in the same one): (keys, answer), where the
    keys are the revocation set's loaded marker, the jti's key and the identity's key, and
    answer(loaded, revoked, identity) takes what they held. The answer then waits in the
    request for is_revoked(). None for claims without a jti or a numeric subject."""
    jti, user_id = claims.get("jti"), principals.subject_id(claims)
    if not jti or user_id is None:
        return None

    def answer(*replies):
        g.setdefault(_ANSWERED, {})[jti] = _answer(jti, user_id, *replies)

    return _keys(jti, user_id), answer


def _keys(jti, user_id):
    keys = [cache.revoked_loaded_key(), cache.revoked_key(jti)]
    return keys + [cache.auth_user_key(user_id)] if user_id is not None else keys


def _answer(jti, user_id, loaded, revoked, identity=None):
    if user_id is not None:
        principals.read_ahead(user_id, identity)
    if loaded:
        return bool(revoked)
    return _reload_from_database(jti)


_reloading = threading.Lock()


def _reload_from_database(jti):
    """Put every unexpired revocation back in Redis, then answer for `jti`. One reload per
    process at a time: after a Redis restart, a storm of connects would otherwise read the
    whole table once per connect, holding the database pool."""
    with _reloading:
        conn = get_redis()
        if conn.exists(cache.revoked_loaded_key()):  # another caller reloaded meanwhile
            return bool(conn.exists(cache.revoked_key(jti)))
        now = utcnow()
        rows = db.session.query(RevokedToken).filter(RevokedToken.expires_at > now).all()
        pipe = conn.pipeline(transaction=False)
        for row in rows:
            pipe.set(cache.revoked_key(row.jti), 1, ex=max(int((row.expires_at - now).total_seconds()), 1))
        pipe.set(cache.revoked_loaded_key(), 1, ex=LOADED_TTL)
        pipe.execute()
        return any(row.jti == jti for row in rows)


def _revoked_in_database(jti):
    """With Redis down. Neither store answering is Unavailable (503; a socket is told to
    retry): the token is refused either way, but calling it revoked sent every page and
    client to sign in again whenever the database was busy."""
    try:
        return db.session.get(RevokedToken, jti) is not None
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("no store answered the blocklist check; refusing the token for now")
        raise Unavailable("unavailable", "Sign-ins cannot be checked right now; try again in a few seconds.") from None


def prune_expired(now=None):
    """Drop revocations of tokens that have expired anyway, in batches. Returns how many."""
    return delete_in_batches(RevokedToken, RevokedToken.expires_at <= (now or utcnow()))
