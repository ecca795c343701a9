"""Serving the web process with a connection limit, in eventlet or gevent.

Both servers cap their concurrent connections with a green pool; once the pool is full
their accept loops stop accepting, and new connections wait in the kernel's backlog with
no error and no timeout (eventlet's 1,024 cliff). Here the accept loop keeps accepting:
past WEB_MAX_CONNECTIONS a new connection gets a 503 and is closed at once, so a client
(or the proxy in front) knows to retry elsewhere or later.
"""

import logging
import resource
import socket

from app import drain

log = logging.getLogger("pulse.web")

_BODY = b'{"error": {"code": "server_full", "message": "Too many connections; retry shortly.", "details": {}}}'
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(_BODY), _BODY)
)
# Room for the listener, Redis, PostgreSQL and log files besides the client sockets.
SPARE_FDS = 256


def check_fd_limit(max_connections):
    """Raise the soft open-files limit to the hard one (allowed without privileges), log both,
    and warn when the limit cannot hold `max_connections` sockets. Returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, max_connections + SPARE_FDS)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %s to %s: %s", soft, target, exc)
    log.info("open-files limit: soft %s, hard %s; WEB_MAX_CONNECTIONS=%s", soft, hard, max_connections)
    if soft != resource.RLIM_INFINITY and soft < max_connections + SPARE_FDS:
        log.warning(
            "open-files limit %s is below WEB_MAX_CONNECTIONS + %s: connections past ~%s will fail to be accepted",
            soft,
            SPARE_FDS,
            soft - SPARE_FDS,
        )
    return soft


def refuse(conn):
    """Answer 503 and close without waiting for the request (best effort)."""
    try:
        conn.setblocking(False)
        conn.send(REFUSAL)
    except OSError:
        pass
    finally:
        conn.close()


def listener(host, port, backlog):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by accepted sockets: without it every keep-alive response waits ~40 ms for
    # a delayed ACK (headers and body go out in separate writes).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


class _RefusingListener:
    """eventlet's accept loop calls accept(); past the limit we answer 503 here and accept
    the next one, so the loop never blocks on a full pool."""

    def __init__(self, sock, pool):
        self._sock, self._pool = sock, pool

    def accept(self):
        while True:
            conn, addr = self._sock.accept()
            if self._pool.free() > 0:
                return conn, addr
            refuse(conn)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def serve_eventlet(app, host, port, max_connections, backlog):
    import eventlet
    import eventlet.wsgi

    pool = eventlet.GreenPool(max_connections)
    sock = eventlet.listen((host, port), backlog=backlog)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    drain.install(sock.close, app.config["WEB_SHUTDOWN_GRACE"], eventlet.spawn, eventlet.sleep)
    eventlet.wsgi.server(
        _RefusingListener(sock, pool), app, custom_pool=pool, max_size=max_connections, log_output=False
    )


class WebSocketApplication:
    """The WSGI app with the `current_app` geventwebsocket calls `on_close` on when a socket
    is closed. Without one it builds a class for each closed socket (`MockApp`): a cycle of
    ~8 objects that the collector must find, and never finds once frozen (storm_gc.py)."""

    def __init__(self, app):
        self.app = app
        self.current_app = self

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    def on_close(self, *args):
        pass


def serve_gevent(app, host, port, max_connections, backlog):
    from gevent.pool import Pool
    from gevent.pywsgi import WSGIServer
    from geventwebsocket.handler import WebSocketHandler

    class LimitedServer(WSGIServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.full = lambda: False  # keep accepting; do_handle refuses instead

        def do_handle(self, *args):
            if self.pool.full():
                refuse(args[0])
                return
            super().do_handle(*args)

    class QuietHandler(WebSocketHandler):
        # pulse.request already logs each request once; geventwebsocket would log it again
        # (a formatted line per request, ignoring log=None), ~15% of a /healthz's cost.
        def log_request(self):
            pass

    import gevent

    server = LimitedServer(
        listener(host, port, backlog),
        WebSocketApplication(app),
        handler_class=QuietHandler,
        spawn=Pool(max_connections),
        log=None,
    )
    drain.install(server.close, app.config["WEB_SHUTDOWN_GRACE"], gevent.spawn, gevent.sleep)
    server.serve_forever()


def serve(app, async_mode, host, port):
    """Serve `app` until stopped, in the process's async mode."""
    max_connections = app.config["WEB_MAX_CONNECTIONS"]
    backlog = app.config["WEB_LISTEN_BACKLOG"]
    check_fd_limit(max_connections)
    log.info("serving on %s:%s (%s, at most %s connections)", host, port, async_mode, max_connections)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # an address a browser can open
    log.info("API docs: http://%s:%s/api/v1/docs (REST and Socket.IO on the same port)", shown, port)
    if async_mode == "gevent":
        serve_gevent(app, host, port, max_connections, backlog)
    elif async_mode == "eventlet":
        serve_eventlet(app, host, port, max_connections, backlog)
    else:
        from app.extensions import socketio

        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
