"""Extensions, created unbound; create_app() binds them."""

import redis
from flask import current_app
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from app.route_limiter import RouteLimiter
from app.verified_tokens import CachingJWTManager


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = CachingJWTManager()
api = Api()
socketio = SocketIO()
limiter = RouteLimiter(key_func=get_remote_address)


def init_redis(app):
    """One Redis client per process, with short timeouts so a dead Redis fails fast."""
    # A blocking pool: past REDIS_MAX_CONNECTIONS a caller waits (REDIS_POOL_TIMEOUT) instead
    # of getting MaxConnectionsError, which a connect storm of thousands of greenlets reached.
    pool = redis.BlockingConnectionPool.from_url(
        app.config["REDIS_URL"],
        max_connections=app.config.get("REDIS_MAX_CONNECTIONS", 200),
        timeout=app.config.get("REDIS_POOL_TIMEOUT", 5),
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )
    app.extensions["redis"] = redis.Redis(connection_pool=pool)


def get_redis():
    return current_app.extensions["redis"]
