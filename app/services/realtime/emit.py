"""Publish a Socket.IO event to a room, from a web process or a worker alike.

We publish the message-queue packet ourselves instead of calling socketio.emit: python-
socketio logs and swallows a failed Redis publish, and the outbox must know whether an
event went out. Every web process listens on the channel and delivers to its clients.
The packet carries the deployment namespace: web processes drop packets without ours.
"""

import json

from flask import current_app

from app.extensions import get_redis
from app.namespace import PACKET_FIELD
from app.services.realtime import events
from app.services.shared.cache import events_emitted_key


def emit(event, data, room):
    """Send `event` to `room`; raises redis.RedisError if it could not be published."""
    packet = {
        "method": "emit",
        "event": events.registered(event),
        "data": [data],
        "binary": False,
        "namespace": "/",
        "room": room,
        "skip_sid": None,
        "callback": None,
        "host_id": "pulse-emit",
        PACKET_FIELD: current_app.config["PULSE_NAMESPACE"],
    }
    pipe = get_redis().pipeline(transaction=False)
    pipe.publish(current_app.config["SOCKETIO_CHANNEL"], json.dumps(packet, default=str))
    pipe.hincrby(events_emitted_key(), event, 1)  # counted for /metrics in the same round trip
    pipe.execute()
