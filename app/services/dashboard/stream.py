"""Server-Sent Events for the dashboard, and the single-use stream tokens.

Each web process keeps ONE Redis subscription (the Hub), started lazily by the first
stream, on the Socket.IO channel every `dashboard:updated` is published to (by the outbox,
so an event the relay sends late still reaches SSE clients). It hands each event to the
queues of the streams open for that student. A stream replays what came after
Last-Event-ID from the outbox table (the event id is the outbox row id), then follows the
live events, skipping any id it already sent; a comment line every SSE_HEARTBEAT seconds
keeps proxies from closing it, and the stream ends after SSE_MAX_AGE seconds. After a
Redis outage the hub tells every stream to replay from the database what it may have missed.
The hub passes on only packets stamped with this deployment's namespace (docs/namespaces.md);
others are dropped and counted in /metrics.

EventSource cannot send headers, so a student may instead POST for a stream token: 32
random bytes, stored in Redis by hash for STREAM_TOKEN_TTL seconds, deleted by the first
use. Access tokens never appear in URLs. A logout refuses every stream token issued before
it (the user's last logout time is kept for STREAM_TOKEN_TTL seconds).

Open streams end with their credentials, as sockets do, within a second: the hub also reads
the membership packets (realtime.membership) on the same channel. A logout ends the
streams opened with that access token (or with a stream token it issued); a deactivation
ends all of the user's streams; a role change away from student ends them too.

Each update is written twice with the same id: as the named event `dashboard:updated`
(addEventListener) and as an unnamed message (EventSource.onmessage), so a client written
either way works; listen with one of the two, not both.
"""

import hashlib
import json
import logging
import queue
import secrets
import threading
import time

import redis
from flask import current_app
from sqlalchemy import select

from app.extensions import db, get_redis
from app.models import OutboxEvent, Role, User
from app.namespace import is_ours
from app.services.dashboard.refresh import EVENT
from app.services.realtime import connections, membership
from app.services.realtime.outbox import packet
from app.services.realtime.rooms import student_room
from app.services.shared import cache
from app.services.shared.errors import Unauthorized, Unavailable
from app.services.shared.metrics import count_foreign_packet

log = logging.getLogger(__name__)

REPLAY_LIMIT = 200
STREAM_QUEUE_SIZE = 1000
RESYNC = object()  # "you may have missed events: replay from the database"
END = object()  # "the credentials are gone: end the stream now"
RESTART = object()  # "this process is stopping: tell the client to reconnect (elsewhere) soon"
RESTART_RETRY_MS = 1000  # the reconnect delay a stopping process asks for


def unavailable():
    return Unavailable("unavailable", "Live updates are unavailable right now; try again shortly.")


# -- stream tokens ----------------------------------------------------------------------


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(student, jti=None):
    """A single-use token for ?stream_token=, valid STREAM_TOKEN_TTL seconds. `jti` is the
    access token that asked for it: the stream it opens ends when that token is logged out."""
    token = secrets.token_urlsafe(32)
    ttl = current_app.config["STREAM_TOKEN_TTL"]
    try:
        get_redis().set(cache.stream_token_key(_hash(token)), f"{student.id}:{time.time()}:{jti or ''}", ex=ttl)
    except redis.RedisError:
        raise unavailable() from None
    return {"stream_token": token, "expires_in": ttl}


def refuse_tokens_issued_until_now(user_id):
    """Called at logout: stream tokens issued until now are refused."""
    get_redis().set(cache.stream_logout_key(user_id), time.time(), ex=current_app.config["STREAM_TOKEN_TTL"] + 5)


def _issued_before_logout(student_id, issued_at):
    try:
        logout_at = get_redis().get(cache.stream_logout_key(student_id))
    except redis.RedisError:
        return False
    return logout_at is not None and issued_at <= float(logout_at)


def token_owner(token):
    """The student id a stream token was issued to, without spending it (None if unknown): the
    rate limit counts a stream against its student, not the address it comes from."""
    try:
        value = get_redis().get(cache.stream_token_key(_hash(token))) if token else None
    except redis.RedisError:
        return None
    student_id = value.decode().partition(":")[0] if value else ""
    return int(student_id) if student_id.isdigit() else None


def redeem_token(token):
    """(the active student the token was issued to, the jti of the access token that asked
    for it or None); the token is gone afterwards (401 if unknown, or issued before the
    student's last logout)."""
    try:
        value = get_redis().getdel(cache.stream_token_key(_hash(token))) if token else None
    except redis.RedisError:
        value = None
    student_id, _, rest = value.decode().partition(":") if value else ("", "", "")
    issued_at, _, jti = rest.partition(":")
    student = db.session.get(User, int(student_id)) if student_id.isdigit() else None
    if student is not None and _issued_before_logout(student.id, float(issued_at or 0)):
        student = None
    if student is None or not student.is_active or student.role != Role.STUDENT:
        raise Unauthorized("stream_token_invalid", "The stream token is unknown, used or expired; ask for a new one.")
    return student, jti or None


def prune_tokens(batch_size=1000):
    """Cleanup: a used token is deleted when redeemed and an unused one expires by TTL; this
    drops any that lost their TTL (e.g. restored from an old dump). Returns how many."""
    dropped = 0
    try:
        r = get_redis()
        for keys in _batches(r.scan_iter(match=cache.stream_token_pattern(), count=batch_size), batch_size):
            pipe = r.pipeline()
            for key in keys:
                pipe.ttl(key)
            stale = [key for key, ttl in zip(keys, pipe.execute(), strict=True) if ttl == -1]
            if stale:
                dropped += r.delete(*stale)
    except redis.RedisError:
        return 0
    return dropped


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- replay -----------------------------------------------------------------------------


def replay(student_id, after_id, limit=REPLAY_LIMIT):
    """The student's dashboard events after `after_id`, oldest first, as clients see them."""
    rows = db.session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.id > after_id, OutboxEvent.room == student_room(student_id), OutboxEvent.event == EVENT)
        .order_by(OutboxEvent.id)
        .limit(limit)
    ).all()
    return [packet(r) for r in rows]


# -- the one subscription per process ---------------------------------------------------


def _async_server():
    from app.extensions import socketio

    return getattr(socketio, "server", None)


def _new_queue():
    """A queue of the server's async library (eventlet's or gevent's), else the standard one."""
    server = _async_server()
    if server is not None:
        return server.eio.create_queue(maxsize=STREAM_QUEUE_SIZE)
    return queue.Queue(maxsize=STREAM_QUEUE_SIZE)


def _empty_exceptions():
    server = _async_server()
    return (queue.Empty, server.eio.get_queue_empty_exception()) if server is not None else (queue.Empty,)


class Hub:
    def __init__(self):
        self._lock = threading.Lock()
        self._streams = {}  # student_id -> set of queues
        self._jtis = {}  # queue -> the jti of the access token the stream was opened with
        self._started = False
        self._namespace = None  # the deployment's, set when the subscription starts

    def subscribe(self, student_id, jti=None):
        self.ensure_started()
        q = _new_queue()
        with self._lock:
            self._streams.setdefault(student_id, set()).add(q)
            self._jtis[q] = jti
        return q

    def unsubscribe(self, student_id, q):
        with self._lock:
            self._jtis.pop(q, None)
            streams = self._streams.get(student_id)
            if streams is not None:
                streams.discard(q)
                if not streams:
                    del self._streams[student_id]

    def end_all(self):
        """This process is stopping (SIGTERM): every stream ends with a retry hint; the client
        reconnects with Last-Event-ID, through the router, to a process still serving."""
        with self._lock:
            queues = [q for streams in self._streams.values() for q in streams]
        for q in queues:
            q.put(RESTART)

    def stream_count(self):
        with self._lock:
            return sum(len(s) for s in self._streams.values())

    def ensure_started(self):
        with self._lock:
            if self._started:
                return
            url, channel = current_app.config["REDIS_URL"], current_app.config["SOCKETIO_CHANNEL"]
            self._namespace = current_app.config["PULSE_NAMESPACE"]
            try:
                pubsub = self._connect(url, channel)  # subscribed before the first stream reads its replay
            except redis.RedisError:
                raise unavailable() from None
            self._started = True
        from app.extensions import socketio

        if _async_server() is not None:
            socketio.start_background_task(self._run, pubsub, url, channel)  # a green thread under eventlet/gevent
        else:
            threading.Thread(target=self._run, args=(pubsub, url, channel), daemon=True, name="sse-hub").start()

    @staticmethod
    def _connect(url, channel):
        client = redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel)
        return pubsub

    def _run(self, pubsub, url, channel):
        while True:
            try:
                if pubsub is None:
                    pubsub = self._connect(url, channel)
                    self._broadcast(RESYNC)  # events published while we were away: replay them
                while True:
                    message = pubsub.get_message(timeout=5.0)
                    if message is not None:
                        self.dispatch(message["data"])
            except redis.RedisError as exc:
                log.warning("dashboard SSE subscription lost (%s); retrying", exc)
            except Exception:
                log.exception("dashboard SSE hub error; restarting the subscription")
            pubsub = None
            time.sleep(1)

    def dispatch(self, raw):
        """Route one published Socket.IO packet to the streams of its student, if it is ours."""
        if isinstance(raw, bytes):
            if EVENT.encode() not in raw and membership.METHOD.encode() not in raw:
                return
        try:
            packet = json.loads(raw)  # bytes are decoded by json itself
        except ValueError:  # UnicodeDecodeError included
            return  # another publisher's format: not a dashboard event
        if not isinstance(packet, dict):
            return
        if not is_ours(packet, self._namespace):
            count_foreign_packet("sse", packet)
            return
        if packet.get("method") == membership.METHOD:
            self._apply_membership(packet)
            return
        room = packet.get("room")
        if packet.get("event") != EVENT or not isinstance(room, str) or not room.startswith("student:"):
            return
        student_id, data = room.split(":", 1)[1], packet.get("data")
        if (
            student_id.isascii()
            and student_id.isdigit()
            and isinstance(data, list)
            and data
            and isinstance(data[0], dict)
        ):
            self._send(int(student_id), data[0])

    def _apply_membership(self, message):
        """End the streams whose credentials a membership packet says are gone: all of a
        deactivated user's, those of a logged-out token, all of a user who is no longer a
        student."""
        user_id, action = message.get("user_id"), message.get("action")
        if not isinstance(user_id, int):
            return
        if action == "disconnect":
            jti = message.get("jti")
        elif action == "refresh" and message.get("role") not in (None, Role.STUDENT.value):
            jti = None
        else:
            return
        with self._lock:
            targets = [q for q in self._streams.get(user_id, ()) if jti is None or self._jtis.get(q) == jti]
        for q in targets:
            _force(q, END)

    def _send(self, student_id, item):
        with self._lock:
            targets = list(self._streams.get(student_id, ()))
        for q in targets:
            try:
                q.put_nowait(item)
            except Exception:  # full (each async library has its own Full)
                log.warning("SSE stream of student %s is not reading; it will resync", student_id)
                _make_room_for_resync(q)

    def _broadcast(self, item):
        with self._lock:
            targets = [q for streams in self._streams.values() for q in streams]
        for q in targets:
            try:
                q.put_nowait(item)
            except Exception:
                pass


def _force(q, item):
    """Put `item` even into a full queue (its oldest item gives way)."""
    try:
        q.put_nowait(item)
    except Exception:
        try:
            q.get_nowait()
            q.put_nowait(item)
        except Exception:
            pass


def _make_room_for_resync(q):
    """A full queue gives up its oldest item for a RESYNC: the stream then re-reads from the
    database everything it has not sent, the dropped item included."""
    try:
        q.get_nowait()
        q.put_nowait(RESYNC)
    except Exception:
        pass


HUB = Hub()


def _format(item):
    """The named event, then the same as an unnamed message (same id) for EventSource.onmessage."""
    data = json.dumps(item, default=str)
    return f"id: {item['event_id']}\nevent: {EVENT}\ndata: {data}\n\nid: {item['event_id']}\ndata: {data}\n\n"


def open_stream(student, last_event_id=None, jti=None):
    """The generator of SSE lines. It subscribes when the response starts (so a response
    never started leaves nothing behind), before reading the replay (so nothing falls
    between the two). `jti`: the access token the stream was opened with (directly or
    through a stream token), whose logout ends it."""
    HUB.ensure_started()  # a Redis outage answers 503 here, not mid-stream
    app = current_app._get_current_object()
    cursor = last_event_id if last_event_id is not None else _latest_event_id(student.id)
    heartbeat, max_age = current_app.config["SSE_HEARTBEAT"], current_app.config["SSE_MAX_AGE"]
    # Counted with the student's sockets (429 past CONNECTIONS_PER_USER or the staff reserve).
    slot = connections.take(student)
    return _Stream(_generate(app, student.id, cursor, last_event_id is not None, heartbeat, max_age, jti), slot)


class _Stream:
    """The stream's lines; closing it (the server does, when the client goes or the stream
    ends, started or not) gives its connection slot back."""

    def __init__(self, lines, slot):
        self._lines, self._slot = lines, slot

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._lines)

    def close(self):
        try:
            self._lines.close()
        finally:
            connections.release(self._slot)


def _latest_event_id(student_id):
    """Where a stream without Last-Event-ID starts: after the student's newest stored event."""
    return (
        db.session.scalar(
            select(OutboxEvent.id)
            .where(OutboxEvent.room == student_room(student_id), OutboxEvent.event == EVENT)
            .order_by(OutboxEvent.id.desc())
            .limit(1)
        )
        or 0
    )


def _replay(app, student_id, cursor):
    with app.app_context():
        try:
            return replay(student_id, cursor)
        finally:
            db.session.remove()


def _generate(app, student_id, cursor, resume, heartbeat, max_age, jti=None):
    empty = _empty_exceptions()
    # A stream ends after max_age: the client reconnects with fresh credentials and
    # Last-Event-ID, so a revoked token or a deactivated account does not stream forever.
    deadline = time.monotonic() + max_age
    # Ids are given at insert but published after commit, so two refreshes can arrive out of
    # order: remember what was sent rather than only the highest id.
    sent = set()
    q = HUB.subscribe(student_id, jti)
    try:
        backlog = _replay(app, student_id, cursor) if resume else []
        yield f"retry: 3000\n: connected to dashboard stream of student {student_id}\n\n"
        pending = list(backlog)
        while True:
            for event in pending:
                event_id = event.get("event_id", 0)
                if event_id in sent or event_id <= cursor:
                    continue  # already sent (replay and live overlap), or older than this stream
                sent.add(event_id)
                yield _format(event)
            if time.monotonic() >= deadline:
                break
            try:
                item = q.get(timeout=min(heartbeat, max(0.0, deadline - time.monotonic())))
            except empty:
                yield ": heartbeat\n\n"
                pending = []
                continue
            if item is END:  # logged out, deactivated or no longer a student
                break
            if item is RESTART:
                yield f"retry: {RESTART_RETRY_MS}\n: server restarting, reconnect\n\n"
                break
            pending = _replay(app, student_id, cursor) if item is RESYNC else [item]
    finally:
        HUB.unsubscribe(student_id, q)
