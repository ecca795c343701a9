"""Notifications for every role: stored in the database, pushed live, listed fast.

notify() adds the notification and its live `notification` event to the caller's
transaction; after transaction.commit() the event is published and the user's fast list
in Redis is updated. The list is a sorted set (score = notification id) of the 50 newest,
kept 7 days and rebuilt from the database whenever it is missing. Open crisis alerts are
pinned: trimming never drops them. unread_count always comes from the database.

Every live `notification` carries the recipient's unread_count after it, and reading one,
reading all or clearing sends `notifications:read` ({"ids": [...]} or {"all": true}, with
unread_count) to the user's own room, so every open tab keeps its badge true.
"""

import json
import logging

import redis
from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.models import CrisisAlert, Notification, Role, User, iso, utcnow
from app.models.alerts import RESOLVED
from app.schemas.context import dump_with
from app.schemas.notifications import NotificationSchema
from app.services.dashboard.queue import queue_refresh
from app.services.notifications import preferences
from app.services.notifications import types as registry
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room, user_room
from app.services.shared import cache, csv_safe, paging
from app.services.shared.errors import NotFound
from app.services.shared.transaction import after_commit, commit

log = logging.getLogger(__name__)

FAST_LIST_SIZE = 50
FAST_LIST_TTL = cache.NOTIFICATIONS_TTL
CRISIS_TYPE = registry.CRISIS_ALERT
SHAPE = NotificationSchema()
ITEMS = NotificationSchema(many=True)


def fast_list_key(user):
    return cache.notifications_key(user.id, user.role == Role.MENTOR)


def live_room(user):
    """Mentors hear notifications in their mentor room (the contract), others in their user room."""
    return mentor_room(user.id) if user.role == Role.MENTOR else user_room(user.id)


def _dump(rows, pinned):
    """The rows as the inbox shows them; `pinned`: the ids of open crisis alerts' notifications."""
    return dump_with(ITEMS, rows, pinned=pinned)


def notify(user, type, title, body="", data=None, alert_id=None):
    """Add a notification for `user` to the open transaction; published after commit.

    None when the user turned this type off in the app (services/preferences.py). Senders
    name `type` from the registry (types.py), so every type sent is one the preferences offer."""
    if not preferences.wants(user.id, type, "in_app"):
        return None
    n = Notification(user_id=user.id, type=type, title=title[:200], body=body or "", data=data or {}, alert_id=alert_id)
    db.session.add(n)
    db.session.flush()  # the id is the event id
    payload = dump_with(SHAPE, n, pinned={n.id} if alert_id is not None else ())
    payload["event_id"] = n.id
    # The count as this transaction sees it (the new one included); the fast list keeps no count.
    outbox.record(events.NOTIFICATION, live_room(user), {**payload, "unread_count": unread_count(user)})
    key = fast_list_key(user)  # now: after the commit, reading user.role would reload the row
    after_commit(lambda: _push_fast_list(key, payload))
    _dashboard_changed(user, "notification")
    return n


def _dashboard_changed(user, reason):
    """A student's dashboard shows their unread count and newest few: queue its refresh."""
    if user.role == Role.STUDENT:
        queue_refresh([user.id], reason, "low")


def notify_admins(type, title, body="", data=None, alert_id=None):
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))).all()
    return [n for n in (notify(a, type, title, body, data, alert_id) for a in admins) if n is not None]


def _push_fast_list(key, payload):
    try:
        r = get_redis()
        if not r.exists(key):
            return  # rebuilt from the database on the next read, new one included
        r.zadd(key, {json.dumps(payload): payload["id"]})
        r.expire(key, FAST_LIST_TTL)
        _trim(r, key)
    except redis.RedisError:
        log.warning("Redis unavailable; fast list %s will be rebuilt on read", key)


def _trim(r, key):
    overflow = r.zcard(key) - FAST_LIST_SIZE
    if overflow <= 0:
        return
    oldest = r.zrange(key, 0, overflow - 1)
    drop = [m for m in oldest if not json.loads(m).get("pinned")]
    if drop:
        r.zrem(key, *drop)


def invalidate_fast_list(user):
    invalidate_fast_list_key(fast_list_key(user))


def invalidate_fast_list_key(key):
    """By key: after a commit, the caller may no longer touch the user's row."""
    try:
        get_redis().delete(key)
    except redis.RedisError:
        log.warning("Redis unavailable; could not invalidate %s", key)


def _visible(user_id):
    return select(Notification).where(Notification.user_id == user_id, Notification.cleared_at.is_(None))


def unread_count(user):
    return db.session.scalar(
        select(func.count()).select_from(_visible(user.id).where(Notification.read_at.is_(None)).subquery())
    )


def _pinned_ids(user):
    """Notifications of this user's alerts not yet resolved (pinned in the fast list). A mentor's
    pins go with the student: an alert moved to a new mentor is no longer pinned for the old one."""
    query = (
        select(Notification.id)
        .join(CrisisAlert, Notification.alert_id == CrisisAlert.id)
        .where(Notification.user_id == user.id, CrisisAlert.status != RESOLVED)
    )
    if user.role != Role.ADMIN:
        query = query.where(CrisisAlert.mentor_id == user.id)
    return set(db.session.scalars(query))


def _rebuild_fast_list(user):
    pinned = _pinned_ids(user)
    rows = db.session.scalars(_visible(user.id).order_by(Notification.id.desc()).limit(FAST_LIST_SIZE)).all()
    extra = [i for i in pinned if i not in {n.id for n in rows}]
    if extra:
        rows += db.session.scalars(_visible(user.id).where(Notification.id.in_(extra))).all()
    items = _dump(rows, pinned)
    try:
        r = get_redis()
        key = fast_list_key(user)
        pipe = r.pipeline()
        pipe.delete(key)
        if items:
            pipe.zadd(key, {json.dumps(i): i["id"] for i in items})
            pipe.expire(key, FAST_LIST_TTL)
        pipe.execute()
    except redis.RedisError:
        log.warning("Redis unavailable; serving notifications from the database")
    return sorted(items, key=lambda i: i["id"], reverse=True)


def _fast_list(user):
    try:
        raw = get_redis().zrevrange(fast_list_key(user), 0, -1)
    except redis.RedisError:
        raw = None
    if raw:
        # Only the schema's fields: a live push also stored its event_id (and older entries may hold more).
        return [{k: v for k, v in json.loads(m).items() if k in SHAPE.fields} for m in raw]
    return _rebuild_fast_list(user)


def list_for(user, type=None, unread=False, since_id=None, before_id=None, limit=20):
    """A page of the inbox, newest first (or oldest first after `since_id`, for replay).
    Items come dumped by NotificationSchema, as the fast list holds them and a socket `sync` sends them."""
    if since_id is None and before_id is None and type is None and not unread and limit <= FAST_LIST_SIZE:
        items = _fast_list(user)
        pinned = [i for i in items if i.get("pinned")]
        page = items[:limit]
        page += [p for p in pinned if p not in page]
        has_more = len(items) > limit
        return {"items": page, "unread_count": unread_count(user), "next_before_id": _next(page, has_more)}
    query = _visible(user.id)
    if type:
        query = query.where(Notification.type == type)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if since_id is not None:
        # Replay after a reconnect: exactly what came after since_id, in order.
        rows = db.session.scalars(
            query.where(Notification.id > since_id).order_by(Notification.id).limit(limit + 1)
        ).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        pinned = _pinned_ids(user)
        items = _dump(rows, pinned)
        return {
            "items": items,
            "unread_count": unread_count(user),
            "next_since_id": items[-1]["id"] if has_more else None,
        }
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)).all()
    has_more = len(rows) > limit
    pinned = _pinned_ids(user)
    items = _dump(rows[:limit], pinned)
    return {"items": items, "unread_count": unread_count(user), "next_before_id": _next(items, has_more)}


def _next(items, has_more):
    return items[-1]["id"] if has_more and items else None


def _owned(user, notification_id):
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != user.id or n.cleared_at is not None:
        raise NotFound("notification_not_found", f"No notification with id {notification_id}.")
    return n


def _announce_read(user, which, **extra):
    """`notifications:read` to the reader's own room: their other tabs update the badge."""
    db.session.flush()
    outbox.record(events.NOTIFICATIONS_READ, user_room(user.id), {**which, **extra, "unread_count": unread_count(user)})


def mark_read(user, notification_id):
    n = _owned(user, notification_id)
    if n.read_at is None:
        n.read_at = utcnow()
        after_commit(lambda: invalidate_fast_list(user))
        _dashboard_changed(user, "notification:read")
        _announce_read(user, {"ids": [n.id]})
        commit()
    return n


def mark_all_read(user):
    count = (
        db.session.query(Notification)
        .filter(Notification.user_id == user.id, Notification.read_at.is_(None), Notification.cleared_at.is_(None))
        .update({Notification.read_at: utcnow()}, synchronize_session=False)
    )
    after_commit(lambda: invalidate_fast_list(user))
    _dashboard_changed(user, "notification:read")
    _announce_read(user, {"all": True})
    commit()
    return count


def clear(user):
    """Empty the inbox. Everything stays on record, and open crisis alerts stay in the inbox."""
    query = db.session.query(Notification).filter(Notification.user_id == user.id, Notification.cleared_at.is_(None))
    pinned = _pinned_ids(user)
    if pinned:
        query = query.filter(Notification.id.not_in(pinned))
    query.update({Notification.cleared_at: utcnow()}, synchronize_session=False)
    after_commit(lambda: invalidate_fast_list(user))
    _dashboard_changed(user, "notification:cleared")
    _announce_read(user, {"all": True}, cleared=True)
    commit()


def export_csv(user):
    """Every notification the user ever had, cleared ones included, oldest first, as CSV lines
    to stream (read 500 rows at a time: a long history is never held whole; cells that a
    spreadsheet would run as formulas are escaped)."""
    rows = paging.oldest_first_in_batches(select(Notification).where(Notification.user_id == user.id), Notification.id)
    return csv_safe.lines(
        ["id", "type", "title", "body", "created_at", "read_at", "cleared_at"],
        ([n.id, n.type, n.title, n.body, iso(n.created_at), iso(n.read_at), iso(n.cleared_at)] for n in rows),
    )
