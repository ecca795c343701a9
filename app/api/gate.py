"""A request's first Redis round trip: its shared rate limit, its token, and its view's reads.

A route's own limits (login, register, the chatbot, cohort joins, dashboard actions) stay
with flask-limiter's decorators. The limits every request shares, RATE_LIMIT_AUTHENTICATED
per signed-in user and RATE_LIMIT_ANONYMOUS per client address, are counted here instead:
a signed-in request asks Redis about its token's revocation and its user's cached
identity anyway, and one script answers those, counts the request and reads the keys its
view declared with @reads_ahead (the cached dashboard). Through flask-limiter the limit
alone cost a round trip plus about 250 µs of per-request bookkeeping: a third of
GET /auth/me (bench/README.md, "Scale").

The counting is flask-limiter's fixed window, in the same storage (`<namespace>:limits:`,
so limiter.reset() clears these counters too). With Redis down each process counts in its
own memory, as flask-limiter does (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): no limit is
ever lifted, and the token and the view read on their own as usual. The chatbot's
service key has only its route's limit (CHATBOT_RATE_LIMIT).

Some routes are not counted against the shared limit of their address (docs/security.md,
"A classroom behind one address"): a login has only its own limits (@own_limits_only: per
address and per failed account), as do a certificate check and a sign-up; a route may also
name who it counts against (@counts_as: the dashboard stream counts against the student its
single-use ?stream_token= was issued to). Static files and the docs page's assets are exempt.
"""

import functools
import hashlib
import logging
import time

import redis
from flask import current_app, g, request
from flask_limiter import ExemptionScope
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from app.api import limits as callers
from app.extensions import get_redis, limiter
from app.services.identity import tokens
from app.services.shared import cache

log = logging.getLogger(__name__)

_memory = FixedWindowRateLimiter(MemoryStorage())  # this process's counts while Redis is down


@functools.lru_cache(maxsize=64)
def _item(text):
    return parse(text)


@functools.lru_cache(maxsize=512)
def _exempt(endpoint, blueprint):
    """Whether limiter.exempt() covers the endpoint (probes, /metrics, docs assets, RQ's board)."""
    scope = limiter.limit_manager.exemption_scope(current_app, endpoint, blueprint)
    return bool(scope & ExemptionScope.APPLICATION)


def _applicable():
    """(limit item, scope, caller key) for this request, or None when no shared limit applies."""
    config, endpoint = current_app.config, request.endpoint  # each proxy read costs: once
    if endpoint is None or endpoint == "static" or not config.get("RATELIMIT_ENABLED", True):
        return None
    if request.method == "OPTIONS":  # a CORS preflight: no credentials, no work done
        return None
    if _exempt(endpoint, request.blueprint):
        return None
    marks = _marks(endpoint)
    if marks is OWN_LIMITS_ONLY:
        return None
    who = (marks() if marks else None) or callers.caller()
    if who.startswith("service:"):
        return None
    if who.startswith("user:"):
        return _item(config["RATE_LIMIT_AUTHENTICATED"]), "authenticated", who
    return _item(config["RATE_LIMIT_ANONYMOUS"]), "anonymous", who


OWN_LIMITS_ONLY = object()


def own_limits_only(view):
    """Decorate a view whose route limits are its only ones: not counted against the shared
    limit (a classroom's 40 logins must not use up its address's anonymous allowance)."""
    view.pulse_shared_limit = OWN_LIMITS_ONLY
    return view


def counts_as(who_for):
    """Decorate a view: `who_for()` names the caller it counts against ("user:<id>"), or None
    for the usual caller (the address, for an anonymous request)."""

    def decorator(view):
        view.pulse_shared_limit = who_for
        return view

    return decorator


@functools.lru_cache(maxsize=512)
def _marks(endpoint):
    return getattr(current_app.view_functions.get(endpoint), "pulse_shared_limit", None)


def check():
    """before_request: count the request against its shared limit (429 past it), and read the
    token's revocation, the user's identity and the view's keys in the same round trip."""
    applicable = _applicable()
    if applicable is None:
        return
    item, scope, who = applicable
    claims = g.get("rate_claims")  # the verified token's claims, when the caller is a user
    try:
        count, ttl = _count_in_redis(item, scope, who, claims)
    except redis.RedisError as exc:
        log.warning("shared limit counted in memory, Redis is unreachable: %s", exc)
        count, ttl = _count_in_memory(item, scope, who)
    g.pulse_shared_limit = (item.amount, max(item.amount - count, 0), int(time.time()) + ttl)
    if count > item.amount:
        raise TooManyRequests(retry_after=max(ttl, 1))


# One script, one round trip: count the request in its window, then read what the token
# check needs next (tokens.check_ahead's keys) and the view's keys. Its replies: the
# count, the window's TTL, the revocation set's loaded marker, whether the jti is revoked,
# then the value of each key read (nil when absent).
GATE = """
local count = redis.call("incrby", KEYS[1], 1)
if count == 1 then
    redis.call("expire", KEYS[1], ARGV[1])
end
local out = {count, redis.call("ttl", KEYS[1])}
if #KEYS > 1 then
    out[3] = redis.call("exists", KEYS[2])
    out[4] = redis.call("exists", KEYS[3])
    for i = 4, #KEYS do
        out[i + 1] = redis.call("get", KEYS[i])
    end
end
return out
"""


def reads_ahead(keys_for):
    """Decorate a view: `keys_for(user_id)` names the Redis keys it will read for a signed-in
    caller; the gate reads them in its round trip and cache.get_many_raw() answers from
    there. (Put it right above the view function: the other decorators copy it upwards.)"""

    def decorator(view):
        view.pulse_reads_ahead = keys_for
        return view

    return decorator


def _count_in_redis(item, scope, who, claims):
    key = limiter.storage.prefixed_key(item.key_for(scope, who))
    ahead = tokens.check_ahead(claims) if claims else None
    if not ahead:
        count, ttl = _run_gate([key], [item.get_expiry()])
        return int(count), max(int(ttl), 1)
    token_keys, answer = ahead  # loaded marker, jti, identity
    keys_for = getattr(current_app.view_functions.get(request.endpoint), "pulse_reads_ahead", None)
    extra = keys_for(int(claims["sub"])) if keys_for else []
    count, ttl, loaded, revoked, identity, *values = _run_gate([key, *token_keys, *extra], [item.get_expiry()])
    answer(loaded, revoked, identity)
    cache.keep_ahead(dict(zip(extra, values, strict=True)))
    return int(count), max(int(ttl), 1)


GATE_SHA = hashlib.sha1(GATE.encode()).hexdigest()  # the name Redis knows the script by


def _run_gate(keys, args):
    """EVALSHA of GATE on a pooled connection of this app's Redis.

    Sent on the connection directly: redis-py's per-command layer (retry policy, telemetry
    hooks, argument checks) cost about 20 µs of CPU, a fifth of the round trip itself. The
    pool still replaces a connection Redis has dropped before handing it out; one that fails
    mid-command is dropped and the error raised (check() then counts this request in
    memory); a Redis that does not hold the script (first use, restart, SCRIPT FLUSH) is
    given it, and the command sent again."""
    client = get_redis()
    try:
        return _evalsha(client.connection_pool, keys, args)
    except redis.exceptions.NoScriptError:
        client.script_load(GATE)
        return _evalsha(client.connection_pool, keys, args)


def _evalsha(pool, keys, args):
    conn = pool.get_connection()
    try:
        conn.send_command("EVALSHA", GATE_SHA, len(keys), *keys, *args)
        return conn.read_response()
    except (redis.ConnectionError, redis.TimeoutError):
        conn.disconnect()
        raise
    finally:
        pool.release(conn)


def _count_in_memory(item, scope, who):
    allowed = _memory.hit(item, scope, who)  # a refused hit is not counted: report one past
    stats = _memory.get_window_stats(item, scope, who)
    count = item.amount - stats.remaining if allowed else item.amount + 1
    return count, max(int(stats.reset_time - time.time()), 1)


def counted_in_memory():
    """The fallback's limiter (its storage is this process's memory)."""
    return _memory


def add_headers(response):
    """after_request: X-RateLimit-* for the shared limit, unless a route limit set its own."""
    counted = g.get("pulse_shared_limit")
    if counted and "X-RateLimit-Limit" not in response.headers:
        amount, remaining, reset_at = counted
        response.headers["X-RateLimit-Limit"] = str(amount)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset_at)
    return response


def install(app):
    """Before flask-limiter's hooks: its headers (a route's own limit) then come first."""
    app.before_request(check)
    app.after_request(add_headers)
