"""Rooms follow membership: when what a user may hear changes (an enrolment becomes active
or ends, a cohort membership changes), every web process re-joins that user's open sockets.

A socket lives in one web process, and python-socketio can only move sockets it holds
locally. So the change is announced on a Redis pub/sub channel (request_refresh, called
after commit from a web process or a worker alike); every web process listens
(start_listener) and runs refresh_rooms for its own sockets of that user: it recomputes
rooms_for(user) and joins and leaves the difference, then sends the socket a fresh
`session` event with its rooms, so a client (and a test) knows the change has landed.
Cohort changes call request_refresh(user_id) the same way.
"""

import json
import logging

import redis
from flask import current_app

from app.extensions import db, get_redis, socketio
from app.models import User
from app.realtime.rooms import membership_channel, rooms_for, user_room

log = logging.getLogger(__name__)

NAMESPACE = "/"


def request_refresh(*user_ids):
    """Ask every web process to recompute these users' rooms (call after the commit)."""
    channel = membership_channel(current_app.config["SOCKETIO_CHANNEL"])
    for user_id in dict.fromkeys(u for u in user_ids if u):
        get_redis().publish(channel, json.dumps({"user_id": user_id}))


def _local_sids(user_id):
    server = socketio.server
    if server is None:  # not a web process
        return []
    return [sid for sid, _eio in server.manager.get_participants(NAMESPACE, user_room(user_id))]


def refresh_rooms(user_id):
    """Join and leave rooms for every socket of this user held by this process. Returns how many."""
    sids = _local_sids(user_id)
    if not sids:
        return 0
    user = db.session.get(User, user_id)
    wanted = set(rooms_for(user)) if user is not None and user.is_active else set()
    for sid in sids:
        current = set(socketio.server.rooms(sid, namespace=NAMESPACE)) - {sid}
        for room in sorted(wanted - current):
            socketio.server.enter_room(sid, room, namespace=NAMESPACE)
        for room in sorted(current - wanted):
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)
        if user is not None:
            rooms = sorted(wanted)
            payload = {"user_id": user.id, "role": user.role.value, "rooms": rooms}
            socketio.server.emit("session", payload, to=sid, namespace=NAMESPACE)
    log.info("rooms of user %s refreshed on %s socket(s)", user_id, len(sids))
    return len(sids)


def _listen(app):
    channel = membership_channel(app.config["SOCKETIO_CHANNEL"])
    while True:
        try:
            # Its own connection, with no read timeout: it waits for messages indefinitely.
            client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_keepalive=True)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            for message in pubsub.listen():
                _handle(app, message)
        except Exception:  # Redis went away: wait, then subscribe again
            log.exception("membership listener lost Redis; resubscribing")
            socketio.sleep(1)


def _handle(app, message):
    try:
        user_id = int(json.loads(message["data"])["user_id"])
    except (KeyError, TypeError, ValueError):
        return
    with app.app_context():
        try:
            refresh_rooms(user_id)
        except Exception:
            log.exception("could not refresh the rooms of user %s", user_id)
        finally:
            db.session.remove()


def start_listener(app):
    """Run the listener in the web process's background (eventlet, gevent or a thread)."""
    socketio.start_background_task(_listen, app)
