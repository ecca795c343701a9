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

from app import create_app  # noqa: E402

app = create_app(SOCKETIO_ASYNC_MODE=ASYNC_MODE, REALTIME_SERVER=True)


if __name__ == "__main__":
    from app.web_server import serve

    serve(app, ASYNC_MODE, os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "5000")))
