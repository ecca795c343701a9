"""Settings, all read from the environment, one class per environment.

Production is the default: with PULSE_ENV unset the app refuses to start unless
SECRET_KEY, JWT_SECRET_KEY and CHATBOT_API_KEYS are set (and are not the published
development values). Development is chosen explicitly (PULSE_ENV=development, as `make run`
does) and runs with no settings at all (SQLite under instance/, a local or embedded Redis).
"""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


def _env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_int(name, default):
    return int(os.environ.get(name, default))


def with_psycopg2(url):
    """Heroku's `postgres://` fixed up, and psycopg2 named: it is the driver that
    cooperates with eventlet and gevent (psycogreen), and SQLAlchemy 2.1 defaults to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def database_url(default):
    return with_psycopg2(os.environ.get("DATABASE_URL", default))


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Browser pages (app/web, docs/web.md): a signed session cookie the page's JavaScript
    # cannot read, not sent on cross-site subrequests, HTTPS-only outside development and
    # testing; it names a server-side session (identity/web_sessions.py) that lives this long.
    SESSION_COOKIE_NAME = "pulse_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("WEB_SESSION_HOURS", 12))
    # CSRF (Flask-WTF) only where app/web asks for it: the API uses bearer tokens, not cookies.
    # A token lives as long as the session: a page left open all day can still post.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{os.path.join(INSTANCE_DIR, 'pulse.db')}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # a connection killed by the server is replaced, not used
    # The pool per process (PostgreSQL): sockets connect from Redis, so this bounds the requests
    # that query at once, not the sockets. Pool size + overflow across all processes must fit
    # PostgreSQL's max_connections. Timeout: seconds a request waits for a connection.
    DB_POOL_SIZE = _env_int("DB_POOL_SIZE", 10)
    DB_MAX_OVERFLOW = _env_int("DB_MAX_OVERFLOW", 20)
    DB_POOL_TIMEOUT = _env_int("DB_POOL_TIMEOUT", 10)
    # Concurrent connections (sockets and HTTP) one web process holds; past it a new one gets
    # a 503 at once. The open-files limit is raised to its hard limit at start (docs/scale.md).
    # Unset: what fits in the container's memory limit (cgroup), at most 10,000; set higher
    # than fits, start-up warns (app/memory_budget.py, docs/deploy.md).
    WEB_MAX_CONNECTIONS = int(os.environ["WEB_MAX_CONNECTIONS"]) if os.environ.get("WEB_MAX_CONNECTIONS") else None
    WEB_LISTEN_BACKLOG = _env_int("WEB_LISTEN_BACKLOG", 2048)  # accept queue for reconnect storms
    # Seconds a web process stopping on SIGTERM waits for its sockets and SSE streams to go
    # before exiting (app/drain.py): well under the platform's 30 s before SIGKILL.
    WEB_SHUTDOWN_GRACE = _env_int("WEB_SHUTDOWN_GRACE", 10)
    # Redis connections per process, and seconds a caller waits for a free one. redis-py 8
    # caps a pool at 100 and raises past it: in a connect storm thousands of greenlets check
    # revocation at once, and the overflow fell back to the database and failed. Waiting for
    # one of these (each call takes well under a millisecond) does not fail.
    REDIS_MAX_CONNECTIONS = _env_int("REDIS_MAX_CONNECTIONS", 200)
    REDIS_POOL_TIMEOUT = _env_int("REDIS_POOL_TIMEOUT", 5)
    # Seconds a user's cached identity (active, role, cohorts, mentor, tier) lives in Redis;
    # every write to those fields rewrites it at once, the TTL only bounds forgotten paths.
    # A day, not minutes: a deploy's reconnect storm after a quiet spell should find the
    # entries of the users still connected, not re-read every one of them from PostgreSQL.
    AUTH_CACHE_TTL = _env_int("AUTH_CACHE_TTL", 24 * 3600)
    # None means: resolve at start-up (development may start an embedded Redis).
    REDIS_URL = os.environ.get("REDIS_URL")
    # Verify a rediss:// server's certificate. Heroku's Redis presents a self-signed one:
    # set REDIS_TLS_VERIFY=0 there (every Redis client then connects with ssl_cert_reqs=none:
    # still encrypted, not authenticated). See app/redis_tls.py and docs/deploy.md.
    REDIS_TLS_VERIFY = _env_bool("REDIS_TLS_VERIFY", True)

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_env_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_env_int("JWT_REFRESH_DAYS", 30))
    JWT_ALGORITHM = "HS256"
    JWT_TOKEN_LOCATION = ["headers"]

    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 256 * 1024)
    CHATBOT_API_KEYS = _env_list("CHATBOT_API_KEYS")
    CORS_ORIGINS = _env_list("CORS_ORIGINS")
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    # Engine.IO pings (seconds): the server pings every interval and drops a client silent for
    # interval + timeout. The ping is traffic, so the interval too stays under the router's 55 s.
    SOCKETIO_PING_INTERVAL = float(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SOCKETIO_PING_TIMEOUT = float(os.environ.get("SOCKETIO_PING_TIMEOUT", "20"))
    # The deployment namespace that starts every Redis name (keys, channels, queues, locks;
    # see docs/namespaces.md). Unset: derived from the database's host, port and name, so two
    # deployments with different databases never share Redis names. 1-64 of [A-Za-z0-9_-].
    PULSE_NAMESPACE = os.environ.get("PULSE_NAMESPACE") or None
    # The Socket.IO Redis pub/sub channel. Unset: `<namespace>:socketio`. Every web process
    # and worker of one deployment must agree on it.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or None
    # Seconds between two checks of the open sockets' access-token expiry (per web process):
    # a socket whose token expired is ended within this time (the client refreshes, reconnects).
    SOCKET_EXPIRY_SWEEP = float(os.environ.get("SOCKET_EXPIRY_SWEEP", "2"))
    # Every this many socket connects a web process collects what it allocated since the last
    # time and freezes the rest, so no garbage collection scans the sockets it holds
    # (app/sockets/storm_gc.py; 0: CPython's collector alone).
    GC_FREEZE_EVERY = _env_int("GC_FREEZE_EVERY", 100)
    # ... and every this many seconds, for what the sockets it holds allocate (their pings).
    GC_FREEZE_SECONDS = float(os.environ.get("GC_FREEZE_SECONDS", "2"))
    # Frozen sockets that closed are freed by one full collection (a long pause), once this
    # many have closed and they outnumber the sockets held (0: never).
    GC_RECLAIM_CLOSES = _env_int("GC_RECLAIM_CLOSES", 1000)
    # Time every garbage collection of a web process and log those of this many ms or more,
    # with a summary each second a collection ran (app/sockets/gc_probe.py). 0: off.
    GC_PROBE_MS = float(os.environ.get("GC_PROBE_MS", "0"))

    # Where the web process listens when HOST is unset (the Procfile passes HOST=0.0.0.0).
    DEFAULT_HOST = "127.0.0.1"
    # How many proxies in front of the app append to X-Forwarded-For/-Proto (Heroku: 1).
    # 0 trusts none: a client's own X-Forwarded-For header then changes nothing.
    TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)
    # Redirect plain-HTTP requests to HTTPS (seen through X-Forwarded-Proto with a trusted hop).
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", False)
    # Strict-Transport-Security max-age in seconds; 0 sends no HSTS header.
    HSTS_MAX_AGE = 0

    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false"
    RATELIMIT_HEADERS_ENABLED = True
    # A Redis outage must not take the API down with it, nor open it up: limits fall back
    # to each process's memory until Redis answers again.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # No RATELIMIT_KEY_PREFIX: the counters' storage prefix is `<namespace>:limits:` (app/__init__.py).
    # Every API request: anonymous callers per client address, signed-in ones per user.
    RATE_LIMIT_ANONYMOUS = os.environ.get("RATE_LIMIT_ANONYMOUS", "100 per hour")
    RATE_LIMIT_AUTHENTICATED = os.environ.get("RATE_LIMIT_AUTHENTICATED", "1000 per hour")
    # Login per client address: generous, a classroom of 40 shares one school NAT.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "120 per minute")
    # Failed logins per account (email): password guessing stops after a few tries.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per 15 minutes")
    # Certificate checks per client address, in their own bucket (not the anonymous limit's).
    CERTIFICATE_VERIFY_RATE_LIMIT = os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "300 per hour")
    # Sign-ups per client address.
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour")
    CHATBOT_RATE_LIMIT = os.environ.get("CHATBOT_RATE_LIMIT", "600 per minute")
    DASHBOARD_ACTION_RATE_LIMIT = os.environ.get("DASHBOARD_ACTION_RATE_LIMIT", "60 per minute")
    # POST /cohorts/<id>/join per student: join codes cannot be guessed by trying.
    COHORT_JOIN_RATE_LIMIT = os.environ.get("COHORT_JOIN_RATE_LIMIT", "10 per minute")
    # Socket.IO: client events per connection (a fixed window of SOCKET_EVENT_WINDOW seconds)
    # and the largest message the server accepts, in bytes.
    SOCKET_EVENT_LIMIT = _env_int("SOCKET_EVENT_LIMIT", 30)
    SOCKET_EVENT_WINDOW = _env_int("SOCKET_EVENT_WINDOW", 10)
    SOCKET_MAX_MESSAGE_BYTES = _env_int("SOCKET_MAX_MESSAGE_BYTES", 64 * 1024)
    # Fair connections (docs/security.md): open sockets + SSE streams one user may hold across
    # all web processes; socket connects per user; seconds an entry of a crashed process
    # lingers in the shared count; and the part of each process's WEB_MAX_CONNECTIONS that
    # students' sockets and streams may not take (0: a tenth), so mentors and admins connect.
    CONNECTIONS_PER_USER = _env_int("CONNECTIONS_PER_USER", 20)
    SOCKET_CONNECT_RATE_LIMIT = os.environ.get("SOCKET_CONNECT_RATE_LIMIT", "30 per minute")
    CONNECTION_SLOT_TTL = _env_int("CONNECTION_SLOT_TTL", 90)
    WEB_STAFF_RESERVE = _env_int("WEB_STAFF_RESERVE", 0)
    # JSON bodies nested deeper than this are refused (400) before anything reads them.
    MAX_JSON_DEPTH = _env_int("MAX_JSON_DEPTH", 32)

    # How often each worker's clock checks for periodic jobs due (seconds).
    CLOCK_TICK_SECONDS = float(os.environ.get("CLOCK_TICK_SECONDS", "5"))

    # Logs: "json" (one object a line) or "text"; production defaults to json.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Sentry: errors of the web process and the worker are sent there when set.
    SENTRY_DSN = os.environ.get("SENTRY_DSN")
    SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
    # rq-dashboard at /admin/rq, for admins (HTTP Basic with an admin account); off when false.
    RQ_DASHBOARD_ENABLED = _env_bool("RQ_DASHBOARD_ENABLED", True)

    # Crisis handling (see README, "Crisis alerts")
    CRISIS_LABELS = _env_list("CRISIS_LABELS", "crisis,self_harm,suicidal_ideation")
    CRISIS_ACK_TIMEOUT = _env_int("CRISIS_ACK_TIMEOUT", 300)  # seconds until escalation
    CRISIS_RESOLVE_TIMEOUT = _env_int("CRISIS_RESOLVE_TIMEOUT", 3600)  # seconds until a reminder
    # The review tier (docs/crisis-alerts.md): chatbot labels that make a concern, not a page,
    # and how long a concern may stay unreviewed before the admins are told.
    CONCERN_LABELS = _env_list("CONCERN_LABELS", "concern,distress,low_mood")
    CONCERN_REVIEW_WINDOW = _env_int("CONCERN_REVIEW_WINDOW", 86400)
    # The learned model pages on its own only when this sure (0..1); between its recall
    # threshold and this, a message goes to review (docs/crisis-detection.md).
    CRISIS_MODEL_PAGE_SCORE = float(os.environ.get("CRISIS_MODEL_PAGE_SCORE", "0.9"))
    IDEMPOTENCY_TTL_HOURS = _env_int("IDEMPOTENCY_TTL_HOURS", 48)
    INSIGHTS_TTL = _env_int("INSIGHTS_TTL", 300)

    # Student dashboard (see README, "Student dashboard")
    DASHBOARD_STALE_AFTER = _env_int("DASHBOARD_STALE_AFTER", 900)  # seconds until a cached aggregate is stale
    DASHBOARD_CACHE_TTL = _env_int("DASHBOARD_CACHE_TTL", 3600)  # seconds the Redis copy lives
    # Seconds between a worker's maintenance passes. A job of a worker that died is retried
    # (when declared with retry) once its heartbeat lapses (~90 s) and a pass runs; a dead
    # worker's scheduler lock (61 s) is taken over by a pass too. RQ's default is 600.
    WORKER_MAINTENANCE_INTERVAL = _env_int("WORKER_MAINTENANCE_INTERVAL", 60)
    # A second worker loop, in a child process, that drains only the `high` queue (live
    # figures, crisis checks), so they never wait behind a long default/low job.
    WORKER_LIVE_LANE = _env_bool("WORKER_LIVE_LANE", True)
    # Seconds a stopping worker (SIGTERM: a deploy, the daily restart) lets the job in hand
    # finish before ending it and handing it back (its retry); under the platform's 30 s
    # before SIGKILL, with room to write the outcome.
    WORKER_SHUTDOWN_GRACE = _env_int("WORKER_SHUTDOWN_GRACE", 20)
    # Students a drain refreshes per transaction (a handful of set-based queries each): larger
    # is faster; smaller lets an urgent refresh queued meanwhile in sooner (docs/scale.md).
    DASHBOARD_REFRESH_BATCH = _env_int("DASHBOARD_REFRESH_BATCH", 200)
    STREAM_TOKEN_TTL = _env_int("STREAM_TOKEN_TTL", 60)  # seconds a single-use SSE token lives
    # Seconds between an SSE stream's keep-alive comments. Heroku's router ends a connection
    # after 55 s without a byte, so it must stay under that (checked at start: ROUTER_IDLE_LIMIT).
    SSE_HEARTBEAT = float(os.environ.get("SSE_HEARTBEAT", "15"))
    SSE_MAX_AGE = float(os.environ.get("SSE_MAX_AGE", "900"))  # seconds before a stream ends (client reconnects)
    PROVIDER_TIMEOUT = float(os.environ.get("PROVIDER_TIMEOUT", "2"))  # seconds for an outside provider
    # Outside services; unset means Pulse computes the section from its own tables.
    TALENTSCOPE_URL = os.environ.get("TALENTSCOPE_URL")
    COACHING_URL = os.environ.get("COACHING_URL")
    MISSIONS_URL = os.environ.get("MISSIONS_URL")
    PORTFOLIO_URL = os.environ.get("PORTFOLIO_URL")
    COHORT_URL = os.environ.get("COHORT_URL")
    AI_COACH_URL = os.environ.get("AI_COACH_URL")
    LEADERBOARD_URL = os.environ.get("LEADERBOARD_URL")
    # Each outside service's bearer token (sent as Authorization: Bearer), when it wants one.
    TALENTSCOPE_TOKEN = os.environ.get("TALENTSCOPE_TOKEN")
    COACHING_TOKEN = os.environ.get("COACHING_TOKEN")
    MISSIONS_TOKEN = os.environ.get("MISSIONS_TOKEN")
    PORTFOLIO_TOKEN = os.environ.get("PORTFOLIO_TOKEN")
    COHORT_TOKEN = os.environ.get("COHORT_TOKEN")
    AI_COACH_TOKEN = os.environ.get("AI_COACH_TOKEN")
    LEADERBOARD_TOKEN = os.environ.get("LEADERBOARD_TOKEN")
    # Educator performance (see docs/performance.md)
    PASS_MARK = float(os.environ.get("PASS_MARK", "60"))  # % a student's average must reach to pass
    # At risk (rules.Limits): attendance below this % over the last AT_RISK_WINDOW_DAYS days,
    # or a trend (last 3 exams' mean minus the 3 before) at or below AT_RISK_TREND_DROP points.
    AT_RISK_ATTENDANCE = float(os.environ.get("AT_RISK_ATTENDANCE", "75"))
    AT_RISK_WINDOW_DAYS = _env_int("AT_RISK_WINDOW_DAYS", 30)
    AT_RISK_TREND_DROP = float(os.environ.get("AT_RISK_TREND_DROP", "-10"))
    EXPORT_LINK_TTL = _env_int("EXPORT_LINK_TTL", 3600)  # seconds a PDF export's download link works
    # /metrics: with a token set, scrapers send `Authorization: Bearer <token>`; production
    # without a token answers 403.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    METRICS_OPEN_WITHOUT_TOKEN = True

    # Email (see docs/academy.md). MAIL_URL: smtp://user:pass@host:587?tls=1 (STARTTLS) or
    # smtps://... (TLS from the start). Unset: development writes .eml files to MAIL_DIR.
    MAIL_URL = os.environ.get("MAIL_URL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Pulse <no-reply@pulse.test>")
    MAIL_DIR = os.environ.get("MAIL_DIR", os.path.join(INSTANCE_DIR, "mail"))
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))  # seconds for the SMTP server
    EMAIL_DAILY_CAP = _env_int("EMAIL_DAILY_CAP", 20)  # non-critical emails per user per UTC day
    DIGEST_HOUR = _env_int("DIGEST_HOUR", 8)  # local hour from which a user's digest goes out
    # Links in emails (certificate verification, unsubscribe) start with this.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    # Academy: seconds between two course summaries to an educator (coalesced, like metrics:updated).
    COURSE_SUMMARY_INTERVAL = _env_int("COURSE_SUMMARY_INTERVAL", 2)
    STUDENT_COURSES_TTL = _env_int("STUDENT_COURSES_TTL", 600)  # seconds GET /student/courses stays cached
    # Cleanup: published outbox events are kept this long for replay; rows are deleted in batches.
    OUTBOX_REPLAY_HOURS = _env_int("OUTBOX_REPLAY_HOURS", 24)
    # Email rows kept this long (the daily cap and once-per-period digests read them).
    EMAIL_LOG_DAYS = _env_int("EMAIL_LOG_DAYS", 90)
    PRUNE_BATCH = _env_int("PRUNE_BATCH", 1000)

    API_TITLE = "Pulse API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI's assets come from the installed swagger-ui-bundle package (no CDN).
    OPENAPI_SWAGGER_UI_URL = "/swagger-ui/"
    API_SPEC_OPTIONS = {
        "info": {
            "description": (
                "The real-time backend of a student mentoring platform: REST under `/api/v1`, live "
                "events over Socket.IO (docs/realtime.md).\n\n"
                '**Authenticating:** call `POST /api/v1/auth/login` with `{"email", "password"}` '
                "(in development, e.g. `mentor1@pulse.test` / `pulse-demo-1`), copy `access_token` from "
                "the answer, press **Authorize** and paste it as `bearerAuth` (Swagger UI adds the "
                "`Bearer ` prefix). Every call then sends `Authorization: Bearer <token>`; access tokens "
                "live 15 minutes, `POST /api/v1/auth/refresh` with the refresh token gives a new one. "
                "The chatbot service authenticates with `X-Chatbot-Key` (`chatbotKey`) instead.\n\n"
                'Errors are always `{"error": {"code", "message", "details"}}`; a 429 carries '
                "`Retry-After`."
            )
        }
    }

    REQUIRE_SECRETS = True

    @classmethod
    def check(cls):
        """Refuse to start where secrets are required and missing or published, or where a
        keep-alive would let the router's idle limit end live connections."""
        cls.check_keepalives()
        if not cls.REQUIRE_SECRETS:
            return
        problems = [f"{name} is not set" for name in REQUIRED_SECRETS if not getattr(cls, name)]
        for name in REQUIRED_SECRETS:
            value = getattr(cls, name)
            values = value if isinstance(value, list) else [value]
            if any(v in PUBLISHED_SECRETS for v in values if v):
                problems.append(f"{name} is a published development or test value")
        if problems:
            raise ConfigError(
                f"Pulse refuses to start in {cls.ENV_NAME}: {'; '.join(problems)}. "
                "Set SECRET_KEY, JWT_SECRET_KEY and CHATBOT_API_KEYS to secret values, "
                "or choose development explicitly with PULSE_ENV=development."
            )

    @classmethod
    def check_keepalives(cls):
        """SSE heartbeats and Socket.IO pings must come within the router's idle limit."""
        for name in ("SSE_HEARTBEAT", "SOCKETIO_PING_INTERVAL"):
            value = getattr(cls, name)
            if not 0 < value < ROUTER_IDLE_LIMIT:
                raise ConfigError(
                    f"{name}={value:g} must be above 0 and under {ROUTER_IDLE_LIMIT} seconds: a platform "
                    f"router (Heroku's) ends a connection after {ROUTER_IDLE_LIMIT} s without a byte."
                )


# Heroku's router: 30 s to a response's first byte (long exports answer 202 and run as jobs),
# then 55 s of silence ends a connection (SSE heartbeats and Socket.IO pings keep it open).
ROUTER_IDLE_LIMIT = 55


class ConfigError(RuntimeError):
    """The settings are not safe to run with; the message says what to set."""


DEV_SECRET_KEY = "dev-secret-key-not-for-production"
DEV_JWT_SECRET_KEY = "dev-jwt-secret-key-not-for-production-use"
DEV_CHATBOT_KEY = "dev-chatbot-key"
TEST_JWT_SECRET_KEY = "test-jwt-secret-key-of-sufficient-length"
REQUIRED_SECRETS = ("SECRET_KEY", "JWT_SECRET_KEY", "CHATBOT_API_KEYS")
# Values that are in this repository, so anyone can sign tokens with them.
PUBLISHED_SECRETS = {
    DEV_SECRET_KEY,
    DEV_JWT_SECRET_KEY,
    DEV_CHATBOT_KEY,
    "test-secret-key",
    TEST_JWT_SECRET_KEY,
    "test-chatbot-key",
}


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = Config.SECRET_KEY or DEV_SECRET_KEY
    JWT_SECRET_KEY = Config.JWT_SECRET_KEY or DEV_JWT_SECRET_KEY
    CHATBOT_API_KEYS = Config.CHATBOT_API_KEYS or [DEV_CHATBOT_KEY]
    REQUIRE_SECRETS = False
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 in development


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", TEST_JWT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = with_psycopg2(
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/pulse_test")
    )
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    CHATBOT_API_KEYS = ["test-chatbot-key"]
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    REQUIRE_SECRETS = False
    SESSION_COOKIE_SECURE = False  # the browser tests use http://127.0.0.1
    # The suite makes thousands of requests from one address: generous limits, unless a
    # test (or a live server's environment) sets tight ones to test them.
    RATE_LIMIT_ANONYMOUS = os.environ.get("RATE_LIMIT_ANONYMOUS", "100000 per hour")
    RATE_LIMIT_AUTHENTICATED = os.environ.get("RATE_LIMIT_AUTHENTICATED", "100000 per hour")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "100000 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per 15 minutes")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "100000 per hour")
    CERTIFICATE_VERIFY_RATE_LIMIT = os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "100000 per hour")
    SOCKET_EVENT_LIMIT = _env_int("SOCKET_EVENT_LIMIT", 1000)
    # Storm and scale tests open many sockets as one user.
    CONNECTIONS_PER_USER = _env_int("CONNECTIONS_PER_USER", 100000)
    SOCKET_CONNECT_RATE_LIMIT = os.environ.get("SOCKET_CONNECT_RATE_LIMIT", "100000 per minute")


class ProductionConfig(Config):
    ENV_NAME = "production"
    METRICS_OPEN_WITHOUT_TOKEN = False
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    HSTS_MAX_AGE = _env_int("HSTS_MAX_AGE", 365 * 24 * 3600)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    """The settings class for `name`, else PULSE_ENV; production when neither is given."""
    name = name or os.environ.get("PULSE_ENV") or "production"
    if name not in CONFIGS:
        raise ConfigError(f"PULSE_ENV={name!r} is not one of {', '.join(CONFIGS)}.")
    return CONFIGS[name]
