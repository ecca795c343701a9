"""Flask-SocketIO's Redis message queue, kept to this deployment (see docs/namespaces.md).

The channel is already the deployment's own (`<namespace>:socketio`), but SOCKETIO_CHANNEL
may be set to the same value in two deployments, and then `user:11` and `admins` in one
are the same rooms as in the other. So every packet published carries the namespace, and
the listener drops (and counts) every packet that does not carry ours.
"""

import socketio

from app.namespace import PACKET_FIELD, is_ours
from app.services.metrics import count_foreign_packet


class NamespacedRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager: `_publish` stamps our namespace on each packet (its
    own emits, room changes and callbacks alike); `_listen` passes on only packets stamped
    with it. The base `_thread` takes the dicts we yield as they are."""

    def __init__(self, url, channel, namespace, **kwargs):
        super().__init__(url, channel=channel, **kwargs)
        self.deployment = namespace

    def _publish(self, data):
        return super()._publish({**data, PACKET_FIELD: self.deployment})

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
