"""The web process: the Flask app and its Socket.IO server.

The async library is patched first, before anything else is imported, and the database
driver is made cooperative (psycopg2 + psycogreen) so one slow query does not stall every
other client of the process.
"""

import os

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()

import sys  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import socketio  # noqa: E402
from config import ConfigError  # noqa: E402

try:
    app = create_app(SOCKETIO_ASYNC_MODE=ASYNC_MODE, REALTIME_SERVER=True)
except ConfigError as exc:  # a clear sentence and exit code 1, not a traceback
    sys.exit(f"pulse: {exc}")


def serve_gevent(host, port):
    """gevent's server, with TCP_NODELAY: without it every keep-alive response waits ~40 ms
    for a delayed ACK (headers and body go out in separate writes). Measured in bench/."""
    import socket

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
    listener.bind((host, port))
    listener.listen(1024)
    pywsgi.WSGIServer(listener, app, handler_class=WebSocketHandler, log=None).serve_forever()


if __name__ == "__main__":
    # Loopback unless HOST says otherwise: the Procfile passes HOST=0.0.0.0 on the platform.
    host, port = os.environ.get("HOST", app.config["DEFAULT_HOST"]), int(os.environ.get("PORT", "5000"))
    if ASYNC_MODE == "gevent":
        serve_gevent(host, port)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=ASYNC_MODE == "threading")
