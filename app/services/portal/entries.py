"""Entries: a student logs work, their mentor reviews it; comments from either side.

Every change writes its audit row, feed item and notification in the same transaction,
and the live events go out after commit through the outbox. A student's edit goes out as
`entry:updated` (to the student and their current mentor) besides any status change.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Entry, EntryStatusChange, Role, User, utcnow
from app.schemas.portal import CommentSchema, EntrySchema
from app.services.activity import feed as activity
from app.services.dashboard import queue as dashboard_queue
from app.services.identity import access
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.portal import mentor_metrics
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room, student_room
from app.services.shared import paging
from app.services.shared.errors import Conflict, NotFound
from app.services.shared.transaction import commit

ENTRY = EntrySchema()
COMMENT = CommentSchema()


def _audit_view(entry):
    return {"title": entry.title, "body": entry.body, "skills": entry.skills or [], "status": entry.status}


def _rooms(student):
    return [student_room(student.id), mentor_room(student.mentor_id) if student.mentor_id else None]


def visible_entry(user, entry_id):
    """The entry if `user` may see it (its student, their mentor, an admin), else 404."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not access.can_see_student(user, db.session.get(User, entry.student_id)):
        raise NotFound("entry_not_found", f"No entry with id {entry_id} among yours.")
    return entry


def create(student, title, body="", skills=None):
    """A student logs an entry; their mentor hears `entry:created`."""
    entry = Entry(student_id=student.id, title=title, body=body, skills=skills or [], status="pending")
    db.session.add(entry)
    db.session.flush()
    db.session.add(EntryStatusChange(entry_id=entry.id, from_status=None, to_status="pending", changed_by=student.id))
    activity.audit("entry", entry.id, "create", student, None, _audit_view(entry))
    activity.record(
        "entry:created",
        student,
        "entry",
        entry.id,
        student_id=student.id,
        mentor_id=student.mentor_id,
        payload={"title": title},
    )
    if student.mentor_id:
        mentor = db.session.get(User, student.mentor_id)
        notifications.notify(
            mentor,
            notification_types.ENTRY_CREATED,
            f"{student.name} logged an entry",
            title,
            {"entry_id": entry.id, "student_id": student.id},
        )
        outbox.record(events.ENTRY_CREATED, mentor_room(mentor.id), {"entry": ENTRY.dump(entry)})
        mentor_metrics.changed(mentor.id)
    dashboard_queue.queue_refresh_for(entry, "entry:created")
    commit()
    return entry


def update(student, entry_id, changes):
    """The student edits their own entry; one that needed revision goes back to pending."""
    entry = visible_entry(student, entry_id)
    if entry.status in ("approved", "rejected"):
        raise Conflict("entry_closed", f"This entry is {entry.status}; it can no longer be edited.")
    before = _audit_view(entry)
    for field, value in changes.items():
        setattr(entry, field, value)
    resubmitted = entry.status == "needs_revision"
    if resubmitted:
        entry.status = "pending"
        db.session.add(
            EntryStatusChange(
                entry_id=entry.id, from_status="needs_revision", to_status="pending", changed_by=student.id
            )
        )
    old, new = activity.diff(before, _audit_view(entry))
    if not new:
        return entry
    activity.audit("entry", entry.id, "update", student, old, new)
    db.session.flush()
    outbox.record_to_rooms(events.ENTRY_UPDATED, _rooms(student), {"entry": ENTRY.dump(entry), "changes": sorted(new)})
    dashboard_queue.queue_refresh_for(entry, "entry:updated")
    if resubmitted:
        _status_changed(entry, student, "needs_revision", "pending")
    else:
        activity.record(
            "entry:updated",
            student,
            "entry",
            entry.id,
            student_id=student.id,
            mentor_id=student.mentor_id,
            payload={"changes": sorted(new)},
        )
        if student.mentor_id:
            notifications.notify(
                db.session.get(User, student.mentor_id),
                notification_types.ENTRY_UPDATED,
                f"{student.name} edited an entry",
                entry.title,
                {"entry_id": entry.id},
            )
    commit()
    return entry


def list_entries(user, student_id=None, status=None, before_id=None, limit=20):
    """Entries the caller may see, newest first."""
    query = access.scope_to_students(select(Entry), Entry.student_id, user, student_id)
    if status:
        query = query.where(Entry.status == status)
    return paging.newest_first(query, Entry.id, before_id=before_id, limit=limit)


def review(reviewer, entry_id, status, comment=None):
    """The mentor sets a review status, optionally with a comment; the student hears it live."""
    entry = visible_entry(reviewer, entry_id)
    if entry.status == status and not comment:
        return entry  # a retried review changes nothing
    old_status = entry.status
    if old_status != status:
        entry.status = status
        entry.reviewed_by = reviewer.id
        entry.reviewed_at = utcnow()
        db.session.add(
            EntryStatusChange(
                entry_id=entry.id, from_status=old_status, to_status=status, changed_by=reviewer.id, comment=comment
            )
        )
        activity.audit(
            "entry",
            entry.id,
            "status",
            reviewer,
            {"status": old_status},
            {"status": status, "reviewed_by": reviewer.id, "comment": comment},
        )
        _status_changed(entry, reviewer, old_status, status)
    if comment:
        _add_comment(entry, reviewer, comment)
    commit()
    return entry


def _status_changed(entry, actor, old_status, status):
    student = db.session.get(User, entry.student_id)
    payload = {"entry": ENTRY.dump(entry), "from_status": old_status, "status": status, "changed_by": actor.id}
    activity.record(
        "entry:statusChanged",
        actor,
        "entry",
        entry.id,
        student_id=student.id,
        mentor_id=student.mentor_id,
        payload={"from_status": old_status, "status": status},
    )
    outbox.record_to_rooms(events.ENTRY_STATUS_CHANGED, _rooms(student), payload)
    label = status.replace("_", " ")
    if actor.id != student.id:
        notifications.notify(
            student,
            notification_types.ENTRY_STATUS_CHANGED,
            f'Your entry "{entry.title}" was {label}',
            "",
            {"entry_id": entry.id, "status": status},
        )
    elif student.mentor_id:
        mentor = db.session.get(User, student.mentor_id)
        notifications.notify(
            mentor,
            notification_types.ENTRY_RESUBMITTED,
            f"{student.name} resubmitted an entry",
            entry.title,
            {"entry_id": entry.id},
        )
    mentor_metrics.changed(student.mentor_id)
    dashboard_queue.queue_refresh_for(entry, "entry:statusChanged")


def add_comment(author, entry_id, body):
    """A comment by the entry's student, their mentor or an admin; the other side is told."""
    entry = visible_entry(author, entry_id)
    comment = _add_comment(entry, author, body)
    commit()
    return comment


def _add_comment(entry, author, body):
    comment = Comment(entry_id=entry.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    student = db.session.get(User, entry.student_id)
    activity.audit("entry", entry.id, "comment", author, None, {"comment_id": comment.id, "body": body})
    activity.record(
        "comment:added",
        author,
        "entry",
        entry.id,
        student_id=student.id,
        mentor_id=student.mentor_id,
        payload={"comment_id": comment.id},
    )
    outbox.record_to_rooms(
        events.COMMENT_ADDED, _rooms(student), {"comment": COMMENT.dump(comment), "entry_id": entry.id}
    )
    others = [student] if author.id != student.id else []
    if author.role == Role.STUDENT and student.mentor_id:
        others.append(db.session.get(User, student.mentor_id))
    for user in others:
        notifications.notify(
            user,
            notification_types.COMMENT_ADDED,
            f'{author.name} commented on "{entry.title}"',
            body[:200],
            {"entry_id": entry.id, "comment_id": comment.id},
        )
    return comment
