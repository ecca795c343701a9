"""REDIS_TLS_VERIFY: whether Redis clients verify a rediss:// server's certificate.

Heroku's Redis (and others) speak TLS with a self-signed certificate, so a client that
verifies it refuses to connect (Heroku's Python guide sets `ssl_cert_reqs=None`). Every
Redis client Pulse opens is built from REDIS_URL: the cache and identity cache
(extensions.get_redis), RQ's queues and the worker (the same client), the Socket.IO
message queue's publisher and listener, flask-limiter's storage, the dashboard stream hub,
rq-dashboard. So the setting is applied once, to the URL, as redis-py's own
`ssl_cert_reqs=none` query argument, before any of them is built: none can forget it.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def with_tls_verify(url, verify):
    """`url` as every client should open it: a rediss:// URL with verification off asks for none."""
    if verify or not url or not url.startswith("rediss://"):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "ssl_cert_reqs"]
    query.append(("ssl_cert_reqs", "none"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def refusal(client):
    """A sentence if `client`'s Redis refuses us for its certificate, else None (also when it
    just does not answer: the caller's own retries and readiness probe cover that)."""
    import redis

    try:
        client.ping()
    except redis.ConnectionError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return (
                f"Redis's TLS certificate was refused ({exc}). A platform Redis with a self-signed "
                "certificate (Heroku's) needs REDIS_TLS_VERIFY=0."
            )
    except redis.RedisError:
        pass
    return None
