"""Settings, all read from the environment, one class per environment.

Development runs with no settings at all (SQLite under instance/, a local or embedded
Redis); production refuses to start without its secrets.
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


def database_url(default):
    return with_psycopg2(os.environ.get("DATABASE_URL", default))


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
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
    WEB_MAX_CONNECTIONS = _env_int("WEB_MAX_CONNECTIONS", 10000)
    WEB_LISTEN_BACKLOG = _env_int("WEB_LISTEN_BACKLOG", 2048)  # accept queue for reconnect storms
    # Redis connections per process, and seconds a caller waits for a free one. redis-py 8
    # caps a pool at 100 and raises past it: in a connect storm thousands of greenlets check
    # revocation at once, and the overflow fell back to the database and failed. Waiting for
    # one of these (each call takes well under a millisecond) does not fail.
    REDIS_MAX_CONNECTIONS = _env_int("REDIS_MAX_CONNECTIONS", 200)
    REDIS_POOL_TIMEOUT = _env_int("REDIS_POOL_TIMEOUT", 5)
    # Seconds a user's cached identity (active, role, cohorts, mentor, tier) lives in Redis;
    # every write to those fields rewrites it at once, the TTL only bounds forgotten paths.
    AUTH_CACHE_TTL = _env_int("AUTH_CACHE_TTL", 300)
    # None means: resolve at start-up (development may start an embedded Redis).
    REDIS_URL = os.environ.get("REDIS_URL")

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_env_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_env_int("JWT_REFRESH_DAYS", 30))
    JWT_ALGORITHM = "HS256"
    JWT_TOKEN_LOCATION = ["headers"]

    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 256 * 1024)
    CHATBOT_API_KEYS = _env_list("CHATBOT_API_KEYS")
    CORS_ORIGINS = _env_list("CORS_ORIGINS")
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
    # The deployment namespace that starts every Redis name (keys, channels, queues, locks;
    # see docs/namespaces.md). Unset: derived from the database's host, port and name, so two
    # deployments with different databases never share Redis names. 1-64 of [A-Za-z0-9_-].
    PULSE_NAMESPACE = os.environ.get("PULSE_NAMESPACE") or None
    # The Socket.IO Redis pub/sub channel. Unset: `<namespace>:socketio`. Every web process
    # and worker of one deployment must agree on it.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or None

    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false"
    RATELIMIT_HEADERS_ENABLED = True
    # A Redis outage must not take the API down with it: limits pause instead.
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    CHATBOT_RATE_LIMIT = os.environ.get("CHATBOT_RATE_LIMIT", "600 per minute")
    DASHBOARD_ACTION_RATE_LIMIT = os.environ.get("DASHBOARD_ACTION_RATE_LIMIT", "60 per minute")

    # Crisis handling (see README, "Crisis alerts")
    CRISIS_LABELS = _env_list("CRISIS_LABELS", "crisis,self_harm,suicidal_ideation")
    CRISIS_ACK_TIMEOUT = _env_int("CRISIS_ACK_TIMEOUT", 300)  # seconds until escalation
    CRISIS_RESOLVE_TIMEOUT = _env_int("CRISIS_RESOLVE_TIMEOUT", 3600)  # seconds until a reminder
    IDEMPOTENCY_TTL_HOURS = _env_int("IDEMPOTENCY_TTL_HOURS", 48)
    INSIGHTS_TTL = _env_int("INSIGHTS_TTL", 300)

    # Student dashboard (see README, "Student dashboard")
    DASHBOARD_STALE_AFTER = _env_int("DASHBOARD_STALE_AFTER", 900)  # seconds until a cached aggregate is stale
    DASHBOARD_CACHE_TTL = _env_int("DASHBOARD_CACHE_TTL", 3600)  # seconds the Redis copy lives
    # Seconds between a worker's maintenance passes. A job of a worker that died is retried
    # (when declared with retry) once its heartbeat lapses (~90 s) and a pass runs; a dead
    # worker's scheduler lock (61 s) is taken over by a pass too. RQ's default is 600.
    WORKER_MAINTENANCE_INTERVAL = _env_int("WORKER_MAINTENANCE_INTERVAL", 60)
    # Students a drain refreshes per transaction (a handful of set-based queries each): larger
    # is faster; smaller lets an urgent refresh queued meanwhile in sooner (docs/scale.md).
    DASHBOARD_REFRESH_BATCH = _env_int("DASHBOARD_REFRESH_BATCH", 200)
    STREAM_TOKEN_TTL = _env_int("STREAM_TOKEN_TTL", 60)  # seconds a single-use SSE token lives
    SSE_HEARTBEAT = float(os.environ.get("SSE_HEARTBEAT", "15"))  # seconds between keep-alive comments
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
    # /metrics: with a token set, scrapers send `Authorization: Bearer <token>`; production
    # without a token answers 403.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    METRICS_OPEN_WITHOUT_TOKEN = True

    API_TITLE = "Pulse API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"

    REQUIRE_SECRETS = True

    @classmethod
    def check(cls):
        """Refuse to start where secrets are required and missing."""
        if cls.REQUIRE_SECRETS:
            missing = [k for k in ("SECRET_KEY", "JWT_SECRET_KEY") if not getattr(cls, k)]
            if missing:
                raise RuntimeError(f"{', '.join(missing)} must be set in the environment")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = Config.SECRET_KEY or "dev-secret-key-not-for-production"
    JWT_SECRET_KEY = Config.JWT_SECRET_KEY or "dev-jwt-secret-key-not-for-production-use"
    CHATBOT_API_KEYS = Config.CHATBOT_API_KEYS or ["dev-chatbot-key"]
    REQUIRE_SECRETS = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "test-jwt-secret-key-of-sufficient-length")
    SQLALCHEMY_DATABASE_URI = with_psycopg2(
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/pulse_test")
    )
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    CHATBOT_API_KEYS = ["test-chatbot-key"]
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    REQUIRE_SECRETS = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    METRICS_OPEN_WITHOUT_TOKEN = False


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    name = name or os.environ.get("PULSE_ENV") or os.environ.get("FLASK_ENV") or "development"
    return CONFIGS[name]
