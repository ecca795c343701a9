"""The mentor's activity feed: what happened around their students, newest first, filtered
by type, "Load more" for older items; new items arrive live (activity:new). The feed and
who may see what are activity.feed's, as GET /activity-feed."""

from flask import g, render_template, request

from app.services.activity import feed
from app.services.identity import users
from app.services.shared.errors import Invalid
from app.web.mentor import blp
from app.web.mentor.forms import positive_int
from app.web.session import require_role

PAGE = 20
NEWER_MAX = 50  # a page that missed more than this reloads the whole list

TYPES = {
    "entry:created": "Entry submitted",
    "entry:updated": "Entry edited",
    "entry:statusChanged": "Entry reviewed",
    "comment:added": "Comment",
    "task:assigned": "Task assigned",
    "task:updated": "Task changed",
    "task:completed": "Task completed",
    "task:reopened": "Task reopened",
    "schedule:created": "Session booked",
    "schedule:updated": "Session changed",
    "schedule:completed": "Session completed",
    "schedule:canceled": "Session canceled",
    "schedule:reopened": "Session reopened",
    "schedule:deleted": "Session removed",
    "attendance:marked": "Attendance",
    "student:registered": "New student",
}
STATUS_WORDS = {
    "approved": "approved",
    "needs_revision": "asked for changes to",
    "rejected": "rejected",
    "pending": "resubmitted",
}


def _type():
    kind = request.args.get("type") or None
    if kind is not None and kind not in TYPES:
        raise Invalid("bad_type", "Unknown activity type: choose one from the list.")
    return kind


def describe(item, names, me):
    """One line a person reads: who did what, and to what."""
    who = "You" if item.actor_id == me else names.get(item.actor_id, "Someone")
    student = names.get(item.student_id, "a student")
    title = (item.payload or {}).get("title")
    quoted = f"“{title}”" if title else ""
    kind = item.type
    if kind == "entry:created":
        return f"{who} submitted an entry {quoted}".strip()
    if kind == "entry:statusChanged":
        return f"{who} {STATUS_WORDS.get(item.payload.get('status'), 'reviewed')} an entry"
    if kind == "entry:updated":
        return f"{who} edited an entry"
    if kind == "comment:added":
        return f"{who} commented on an entry"
    if kind == "task:assigned":
        return f"{who} assigned {quoted or 'a task'} to {student}"
    if kind.startswith("task:"):
        return f"{who} {kind.split(':')[1]} {quoted or 'a task'}".replace(" updated ", " changed ")
    if kind.startswith("schedule:"):
        action = kind.split(":")[1]
        verb = {"created": "booked", "updated": "changed", "deleted": "removed"}.get(action, action)
        return f"{who} {verb} the session {quoted}".strip()
    if kind == "attendance:marked":
        return f"{who} marked {student} {item.payload.get('status', '')}".strip()
    if kind == "student:registered":
        return f"{student} is now your student"
    return f"{who}: {kind}"


def _rows(page):
    items = page["items"]
    names = users.names([i.actor_id for i in items] + [i.student_id for i in items])
    rows = [{"item": i, "text": describe(i, names, g.person.id), "student": names.get(i.student_id)} for i in items]
    return rows, page["next_before_id"]


@blp.get("/activity")
@require_role("mentor")
def activity_page():
    """The activity feed, newest first; ?type= filters."""
    kind = _type()
    rows, more = _rows(feed.feed_for(g.person, type=kind, limit=PAGE))
    return render_template("web/mentor/activity.html", rows=rows, more=more, kind=kind, types=TYPES)


@blp.get("/activity/_feed")
@require_role("mentor")
def activity_feed():
    """The feed's live region: the first page (refreshed on every connect)."""
    kind = _type()
    rows, more = _rows(feed.feed_for(g.person, type=kind, limit=PAGE))
    return render_template("web/mentor/_activity.html", rows=rows, more=more, kind=kind, types=TYPES)


@blp.get("/activity/_items")
@require_role("mentor")
def activity_items():
    """Feed items only: older than ?before_id= (Load more) or newer than ?after_id= (live)."""
    kind = _type()
    before_id, after_id = positive_int(request.args.get("before_id")), positive_int(request.args.get("after_id"))
    if (before_id is None) == (after_id is None):
        raise Invalid("bad_page", "Ask for items before or after one item.")
    limit = PAGE if before_id else NEWER_MAX
    rows, more = _rows(feed.feed_for(g.person, type=kind, before_id=before_id, after_id=after_id, limit=limit))
    # newer items beyond NEWER_MAX: the list has a gap, so the page reloads it whole (gap)
    return render_template(
        "web/mentor/_activity_items.html",
        rows=rows,
        more=more if before_id else None,
        gap=after_id is not None and more is not None,
        kind=kind,
        types=TYPES,
    )
