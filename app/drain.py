"""The web process's stop (SIGTERM; the platform's SIGKILL follows 30 s later).

In order: stop accepting (the router sends new connections to other processes), end every
SSE stream with a retry hint, drop every Socket.IO connection *without* a close packet (a
client told "closed by the server" would not reconnect; one whose transport drops does,
through the router, to another process, and its `sync` on connect replays what it
missed), then exit once they are gone or WEB_SHUTDOWN_GRACE has passed, well before SIGKILL.
"""

import logging
import os
import signal
import time

log = logging.getLogger("pulse.web")


def install(stop_listening, grace, spawn, sleep):
    """On SIGTERM, run drain() in a green thread of its own (the handler must not block the hub)."""
    started = []

    def on_sigterm(*_):
        if not started:  # the platform may signal twice; one drain
            started.append(True)
            spawn(drain, stop_listening, grace, sleep)

    signal.signal(signal.SIGTERM, on_sigterm)


def _open_sockets():
    from app.extensions import socketio

    server = socketio.server
    return list(server.eio.sockets.values()) if server is not None else []


def drain(stop_listening, grace, sleep):
    from app.services.dashboard.stream import HUB

    began = time.monotonic()
    sockets = _open_sockets()
    log.info("SIGTERM: draining %s sockets and %s streams (at most %ss)", len(sockets), HUB.stream_count(), grace)
    try:
        stop_listening()
    except OSError as exc:
        log.warning("closing the listener: %s", exc)
    HUB.end_all()
    for sock in sockets:
        try:
            sock.close(wait=False, abort=True)
        except Exception as exc:  # one socket's error must not keep the others open
            log.warning("closing socket %s: %s", getattr(sock, "sid", "?"), exc)
    while time.monotonic() - began < grace and (HUB.stream_count() or _open_sockets()):
        sleep(0.05)
    log.info("drained in %.1fs; exiting", time.monotonic() - began)
    logging.shutdown()
    os._exit(0)
