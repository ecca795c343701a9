"""The rate limits' Redis storage, with one round trip per limit instead of three.

flask-limiter counts a request (INCR) and then, for the X-RateLimit-* headers, reads the
count and the window's expiry back (GET, then TTL): three round trips to Redis for each
limit on every request. Here the count and the TTL come back from the INCR itself (one Lua
script) and are kept for the rest of the request, so the header reads need no Redis.
Registered as the `pulse+redis` (and `pulse+rediss`) scheme; app/__init__.py uses it for
RATELIMIT_STORAGE_URI unless that is set.

Its pool is a blocking one of REDIS_MAX_CONNECTIONS, like the app's own: redis-py's
default pool raises "Too many connections" past 100 at once, so a burst of 300 socket
connects (or requests) skipped the Redis count and fell back to a per-process one.
"""

import time

import redis
from flask import g, has_app_context
from limits.storage import RedisStorage

INCR_TTL = """
local current = redis.call("incrby", KEYS[1], tonumber(ARGV[2]))
if tonumber(current) == tonumber(ARGV[2]) then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""
PREFIX = "pulse+"


class CountingRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["pulse+redis", "pulse+rediss"]

    def __init__(self, uri, max_connections=200, pool_timeout=5, **options):
        uri = uri.removeprefix(PREFIX)
        pool = redis.BlockingConnectionPool.from_url(uri, max_connections=max_connections, timeout=pool_timeout)
        super().__init__(uri, connection_pool=pool, **options)

    def initialize_storage(self, uri):
        super().initialize_storage(uri)
        self.lua_incr_ttl = self.get_connection().register_script(INCR_TTL)

    @staticmethod
    def _seen():
        """{prefixed key: (count, expires at)} counted in this request (none outside one)."""
        if not has_app_context():
            return None
        if "pulse_limit_counts" not in g:
            g.pulse_limit_counts = {}
        return g.pulse_limit_counts

    def incr(self, key, expiry, amount=1):
        prefixed = self.prefixed_key(key)
        current, ttl = self.lua_incr_ttl([prefixed], [expiry, amount])
        seen = self._seen()
        if seen is not None:
            seen[prefixed] = (int(current), max(int(ttl), 0) + time.time())
        return int(current)

    def get(self, key):
        counted = (self._seen() or {}).get(self.prefixed_key(key))
        return counted[0] if counted else super().get(key)

    def get_expiry(self, key):
        counted = (self._seen() or {}).get(self.prefixed_key(key))
        return counted[1] if counted else super().get_expiry(key)
