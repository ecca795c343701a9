"""The application factory."""

import logging
import os
import sys

from flask import Flask

from app import namespace
from app.redis_tls import with_tls_verify
from config import INSTANCE_DIR, get_config

log = logging.getLogger("pulse")


def create_app(config_name=None, **overrides):
    """Build the app: a short list of register_* calls."""
    app = Flask(__name__, instance_path=INSTANCE_DIR)
    config = get_config(config_name)
    config.check()
    app.config.from_object(config)
    app.config.update(overrides)
    configure_logging(app)
    resolve_services(app)
    register_http_hardening(app)  # before any route: the id converter binds when a rule is added
    register_extensions(app)
    register_api_and_docs(app)
    register_pages(app)
    register_errors(app)  # after the API: flask-smorest installs its own handler, ours wins
    if app.config.get("REALTIME_SERVER"):  # only the web process serves sockets
        register_realtime_server(app)
    register_operator_tools(app)
    register_cli(app)
    register_service_hooks()
    return app


def create_cli_app():
    """The app for the `flask` command. When the settings refuse to start (PULSE_ENV unset on
    a laptop means production, which needs real secrets) a command prints one sentence saying
    what to run instead of a traceback, and `flask --help` still lists Pulse's commands."""
    import click

    from app import cli
    from config import ConfigError

    try:
        app = create_app()
    except ConfigError as exc:
        sentence = cli.advice(exc)
        if cli.asks_for_help(sys.argv[1:]):
            click.echo(sentence, err=True)
            return cli.commands_only_app()
        raise SystemExit(sentence) from None
    if cli.subcommand(sys.argv[1:]) == "run":
        # Flask's development server has no Socket.IO server: /socket.io/ would answer 404.
        click.echo(
            "pulse: `flask run` serves the REST API only, without Socket.IO (/socket.io/ answers 404); "
            "run `python wsgi.py` (or `make run`) to serve both.",
            err=True,
        )
    return app


def configure_logging(app):
    from app.logs import configure, init_sentry

    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    if app.config.get("REALTIME_SERVER"):
        init_sentry(app.config)


def register_http_hardening(app):
    """Request ids and logs, proxies, HTTPS, security headers, CORS, JSON depth, id ranges."""
    from app.api import cors, ids, request_log, security

    request_log.install(app)  # first, so every later hook's answer carries the request id
    security.install(app)
    cors.install(app)  # CORS_ORIGINS, as for Socket.IO; none: same-origin only
    ids.install_converter(app)
    ids.install_parser_bounds()


def register_operator_tools(app):
    """rq-dashboard for admins (see docs/deploy.md)."""
    if app.config.get("RQ_DASHBOARD_ENABLED"):
        from app.api.rq_dashboard import mount

        mount(app)


def resolve_services(app):
    """Settle which database and Redis this process uses, and say so."""
    if not app.config.get("REDIS_URL"):
        from app.local_redis import resolve_redis_url

        url, source = resolve_redis_url(os.path.join(INSTANCE_DIR, "redis"))
        app.config["REDIS_URL"] = url
    else:
        source = "settings"
    # Heroku's TLS Redis has a self-signed certificate: REDIS_TLS_VERIFY=0 (app/redis_tls.py).
    # Applied to the URL once, here, before any client (cache, RQ, Socket.IO, limits) is built.
    verify = app.config["REDIS_TLS_VERIFY"]
    app.config["REDIS_URL"] = with_tls_verify(app.config["REDIS_URL"], verify)
    if app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = _limits_uri_with_tls_verify(app.config["RATELIMIT_STORAGE_URI"], verify)
    # app/api/limit_storage.py: the same Redis, one round trip per limit and request
    app.config.setdefault("RATELIMIT_STORAGE_URI", "pulse+" + app.config["REDIS_URL"])
    if app.config["RATELIMIT_STORAGE_URI"].startswith("pulse+"):  # its pool sized as the app's
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("max_connections", app.config["REDIS_MAX_CONNECTIONS"])
        options.setdefault("pool_timeout", app.config["REDIS_POOL_TIMEOUT"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(INSTANCE_DIR, exist_ok=True)
    else:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": app.config["DB_POOL_SIZE"],
            "max_overflow": app.config["DB_MAX_OVERFLOW"],
            "pool_timeout": app.config["DB_POOL_TIMEOUT"],
            # The connection used last is handed out first: its backend's caches are warm (the
            # first statements on a fresh backend cost several times more), and under light
            # load the others stay idle instead of each being woken in turn.
            "pool_use_lifo": True,
        }
    log.info("database: %s", _redact(app.config["SQLALCHEMY_DATABASE_URI"]))
    log.info("redis: %s (%s)", _redact(app.config["REDIS_URL"]), source)
    resolve_namespace(app)
    resolve_connection_cap(app)


def resolve_connection_cap(app):
    """WEB_MAX_CONNECTIONS: as set, else what fits in the container's memory (app/memory_budget.py)."""
    from app import memory_budget

    limit = memory_budget.memory_limit()
    cap, warning = memory_budget.resolve_max_connections(
        app.config.get("WEB_MAX_CONNECTIONS"), app.config["SOCKETIO_ASYNC_MODE"], limit
    )
    app.config["WEB_MAX_CONNECTIONS"] = cap
    if warning and app.config.get("REALTIME_SERVER"):  # only the web process holds sockets
        log.warning(warning)


def _limits_uri_with_tls_verify(uri, verify):
    """A RATELIMIT_STORAGE_URI set on its own (pulse+rediss://, rediss://) honours the setting too."""
    prefix = "pulse+" if uri.startswith("pulse+") else ""
    return prefix + with_tls_verify(uri.removeprefix(prefix), verify)


def resolve_namespace(app):
    """Settle the deployment namespace every Redis name carries, and say so."""
    ns, source = namespace.resolve(app.config)
    app.config["PULSE_NAMESPACE"] = ns
    channel_source = "SOCKETIO_CHANNEL" if app.config.get("SOCKETIO_CHANNEL") else "from the namespace"
    app.config["SOCKETIO_CHANNEL"] = app.config.get("SOCKETIO_CHANNEL") or namespace.namespaced("socketio", ns)
    # Rate-limit counters as `<namespace>:limits:...`. The storage's own prefix (there is no
    # separate RATELIMIT_KEY_PREFIX setting) also scopes limiter.reset() to this deployment.
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    options.setdefault("key_prefix", namespace.namespaced("limits", ns))
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    log.info(
        "redis namespace: %s (%s); Socket.IO channel %s (%s)",
        ns,
        source,
        app.config["SOCKETIO_CHANNEL"],
        channel_source,
    )


def _redact(url):
    """Hide a password in a URL before it is logged."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


def register_extensions(app):
    from app import models  # noqa: F401  (every model registered before migrate)
    from app.api import gate, limits
    from app.api.auth_helpers import register_jwt_handlers
    from app.extensions import db, init_redis, jwt, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    jwt.init_app(app)
    register_jwt_handlers(jwt)
    gate.install(app)  # first: its hooks then run before flask-limiter's
    limits.install(app)
    init_redis(app)


def register_errors(app):
    from app.api.errors import register_error_handlers
    from app.web import errors as page_errors

    register_error_handlers(app)
    page_errors.install(app)  # after the API's: pages answer HTML, everything else keeps JSON


def register_pages(app):
    """The browser pages (app/web, docs/web.md)."""
    from app.web import register_web

    register_web(app)


def register_api_and_docs(app):
    from app.api import register_api

    register_api(app)


def register_realtime_server(app):
    from app.sockets import register_sockets

    register_sockets(app)


def register_cli(app):
    from app.cli import register_cli_commands

    register_cli_commands(app)


def register_service_hooks():
    """Later parts of Pulse add their figures to the mentor's views."""
    from app.services.identity import principals
    from app.services.performance import hooks as performance_hooks
    from app.services.portal import figures as portal_figures

    portal_figures.register()
    performance_hooks.register()
    principals.register()  # identity cache entries follow every write to users and cohorts
