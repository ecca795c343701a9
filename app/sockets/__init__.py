"""The Socket.IO entry point: the server's setup and the connect/disconnect handlers.

It sits with app.api and app.web, above the services: handlers authorize, call services,
and answer in the one error envelope. The bus the services publish on (rooms, emit, the
outbox, membership packets) is app.services.realtime, below the domains.
"""

from app.extensions import socketio
from app.services.realtime import membership
from app.sockets import gc_probe, handlers, storm_gc


def register_sockets(app):
    """Bind the Socket.IO server to the app: the deployment's Redis bus, then the handlers."""

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # The Redis message queue on the deployment's channel: other namespaces' packets are
        # dropped, and Pulse's membership packets (rooms follow cohorts and mentors, sockets
        # end with their credentials) are applied: see manager.py and membership.py.
        client_manager=membership.PulseRedisManager(
            app.config["REDIS_URL"],
            app.config["SOCKETIO_CHANNEL"],
            app.config["PULSE_NAMESPACE"],
            max_connections=app.config["REDIS_MAX_CONNECTIONS"],
        ),
        # Same-origin unless CORS_ORIGINS names more.
        cors_allowed_origins=app.config["CORS_ORIGINS"] or None,
        # Engine.IO refuses (and disconnects) a client whose message is larger than this.
        max_http_buffer_size=app.config["SOCKET_MAX_MESSAGE_BYTES"],
        # Sockets authenticate by token and keep their state in python-socketio's session:
        # no per-socket copy of the Flask session (memory per socket, 10,000 of them).
        manage_session=False,
        # Under the router's 55 s idle limit (config.py checks it): the pings keep it open.
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
    )
    handlers.register(socketio)
    membership.start_expiry_sweep(socketio, app.config["SOCKET_EXPIRY_SWEEP"])
    gc_probe.start(socketio, app.config["GC_PROBE_MS"])
    storm_gc.start(
        socketio, app.config["GC_FREEZE_EVERY"], app.config["GC_FREEZE_SECONDS"], app.config["GC_RECLAIM_CLOSES"]
    )
    app.wsgi_app = unbuffered_event_streams(app.wsgi_app)


def unbuffered_event_streams(wsgi_app):
    """eventlet's server holds back response chunks under 4 KB, which would delay every
    Server-Sent Event; this asks it not to for event streams. It must wrap Flask-SocketIO's
    middleware, which hands the app a copy of the environ. gevent ignores the key."""

    def middleware(environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/stream"):
            environ["eventlet.minimum_write_chunk_size"] = 0
        return wsgi_app(environ, start_response)

    return middleware
