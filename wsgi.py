"""The web process: the Flask app and its Socket.IO server.

The async library is patched first, before anything else is imported, and the database
driver is made cooperative (psycopg2 + psycogreen) so one slow query does not stall every
other client of the process.
"""

import os

# gevent by default: about 62 KB a socket against eventlet's 165 KB, and eventlet (still
# supported, and in the test suite) is in maintenance only and warns that it is deprecated.
ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
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
from app.extensions import get_redis  # noqa: E402
from app.redis_tls import refusal  # noqa: E402
from config import ConfigError  # noqa: E402

try:
    app = create_app(SOCKETIO_ASYNC_MODE=ASYNC_MODE, REALTIME_SERVER=True)
except ConfigError as exc:  # a clear sentence and exit code 1, not a traceback
    sys.exit(f"pulse: {exc}")
with app.app_context():
    # A Redis whose certificate we refuse is a setting to change (REDIS_TLS_VERIFY), not an
    # outage to ride out: say so and stop, rather than serve with every Redis call failing.
    refused = refusal(get_redis())
if refused:
    sys.exit(f"pulse: {refused}")


if __name__ == "__main__":
    import gc
    import logging
    import time

    from app.services.crisis.detection import verdict
    from app.web_server import serve

    # Before listening: the crisis path's first message must not wait for the model to load.
    started = time.monotonic()
    verdict.warm()
    logging.getLogger("pulse.web").info("crisis detector ready in %.0f ms", (time.monotonic() - started) * 1000)

    # The app, its routes and schemas live as long as the process: keep them out of the
    # garbage collector's full passes, which otherwise pause every request of the process.
    gc.freeze()

    # Loopback unless HOST says otherwise: the Procfile passes HOST=0.0.0.0 on the platform.
    serve(app, ASYNC_MODE, os.environ.get("HOST", app.config["DEFAULT_HOST"]), int(os.environ.get("PORT", "5000")))
