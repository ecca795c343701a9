"""The message queue's publisher: every packet carries the namespace, and a failed publish
never touches the listener's subscription (python-socketio's own publisher replaced it, so
packets published until it resubscribed were lost to this process's sockets)."""

import json
import time

import redis

from app.namespace import PACKET_FIELD
from app.services.realtime.manager import NamespacedRedisManager
from tests.conftest import REDIS_URL


def test_a_failed_publish_leaves_the_subscription_alone():
    manager = NamespacedRedisManager("redis://127.0.0.1:1/0", "pulse-test-publisher", "ns-a")
    listening = object()
    manager.pubsub, manager.connected = listening, True  # as after the listener subscribed
    assert manager._publish({"method": "emit", "event": "x"}) is None  # nothing answers on port 1
    assert manager.pubsub is listening and manager.connected is True


def test_a_published_packet_carries_the_namespace():
    channel = f"pulse-test-publisher-{time.monotonic_ns()}"
    listener = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel)
    listener.get_message(timeout=1)
    manager = NamespacedRedisManager(REDIS_URL, channel, "ns-b", max_connections=2)
    assert manager._publish({"method": "emit", "event": "hello"}) == 1  # one subscriber heard it
    deadline = time.monotonic() + 5
    message = None
    while message is None and time.monotonic() < deadline:
        message = listener.get_message(timeout=1)
    packet = json.loads(message["data"])
    assert packet["event"] == "hello" and packet[PACKET_FIELD] == "ns-b"
    listener.close()
