"""Flask-SocketIO's Redis message queue, kept to this deployment (see docs/namespaces.md).

The channel is already the deployment's own (`<namespace>:socketio`), but SOCKETIO_CHANNEL
may be set to the same value in two deployments, and then `user:11` and `admins` in one
are the same rooms as in the other. So every packet published carries the namespace, and
the listener drops (and counts) every packet that does not carry ours.
"""

import logging

import redis
import socketio

from app.namespace import PACKET_FIELD, is_ours
from app.services.shared.metrics import count_foreign_packet

log = logging.getLogger(__name__)


class NamespacedRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager: `_publish` stamps our namespace on each packet (its
    own emits, room changes and callbacks alike); `_listen` passes on only packets stamped
    with it. The base `_thread` takes the dicts we yield as they are.

    It also knows each socket's rooms. The base class finds them by scanning every room of
    the namespace (copying the whole dict first), on each disconnect and get_rooms(): with
    5,000 sockets a process that is ~8,000 rooms, and a reconnect storm's 5,000 disconnects
    cost seconds of the event loop."""

    def __init__(self, url, channel, namespace, max_connections=100, **kwargs):
        super().__init__(url, channel=channel, **kwargs)
        self.deployment = namespace
        self.max_connections = max_connections
        self._publisher = None
        self._rooms_of = {}  # (namespace, sid) -> the rooms it is in (None: every socket's room)

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid, namespace):
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """The base class's, leaving only the socket's own rooms."""
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)  # the last one drops its index entry
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    def _publish(self, data):
        """Publish on a client of its own, with a blocking pool (a burst waits for a free
        connection). python-socketio's own _publish, on any error (its pool of 100 is full in
        a connect storm, say), builds a new client *and a new pubsub*: the listener's
        subscription is dropped, and every packet published until it resubscribes (1 s or
        more) never reaches this process's sockets."""
        packet = self.json.dumps({**data, PACKET_FIELD: self.deployment})
        for attempt in (1, 2):
            try:
                if self._publisher is None:
                    pool = redis.BlockingConnectionPool.from_url(
                        self.redis_url, max_connections=self.max_connections, timeout=5
                    )
                    self._publisher = redis.Redis(connection_pool=pool)
                return self._publisher.publish(self.channel, packet)
            except redis.RedisError as exc:
                log.log(
                    logging.WARNING if attempt == 1 else logging.ERROR, "publish failed (attempt %s): %s", attempt, exc
                )
        return None

    def _listen(self):
        for raw in super()._listen():
            try:
                packet = raw if isinstance(raw, dict) else self.json.loads(raw)
            except ValueError:  # not JSON (UnicodeDecodeError included): not ours either
                packet = None
            if is_ours(packet, self.deployment):
                yield packet
            else:
                count_foreign_packet("socketio", packet)
