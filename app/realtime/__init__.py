"""Socket.IO: rooms, connect-time auth, and the emit helper for web and worker alike."""


def register_realtime(app):
    from app.extensions import socketio
    from app.realtime import events, membership, storm_gc

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
    )
    events.register(socketio)
    membership.start_expiry_sweep(socketio, app.config["SOCKET_EXPIRY_SWEEP"])
    storm_gc.start(socketio, app.config["GC_AFTER_CONNECTS"], app.config["GC_QUIET_SECONDS"])
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
