"""Socket.IO: rooms, connect-time auth, and the emit helper for web and worker alike."""


def register_realtime(app):
    from app.extensions import socketio
    from app.realtime import events

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        # Same-origin unless CORS_ORIGINS names more.
        cors_allowed_origins=app.config["CORS_ORIGINS"] or None,
    )
    events.register(socketio)
