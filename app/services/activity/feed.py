"""The activity feed (what happened, for people) and the audit log (every change, for the record).

Both are written in the same transaction as the change they describe. Feed items carry
whose feed they belong in (student, cohort, mentor), so a reader sees only their own.
Each new item also goes out live as `activity:new` to exactly the rooms of the people
GET /activity-feed would show it to (see live_rooms), through the outbox.
"""

from sqlalchemy import or_, select

from app.extensions import db
from app.models import ActivityEvent, AuditLog, Role, User
from app.schemas.portal import ActivitySchema
from app.services.identity import access
from app.services.realtime import events, outbox
from app.services.realtime.rooms import ADMINS_ROOM, cohort_room, mentor_room, student_room
from app.services.shared import paging

# The live item has the shape of the feed's items.
ACTIVITY = ActivitySchema()


def record(type, actor, target_type, target_id, *, student_id=None, cohort_id=None, mentor_id=None, payload=None):
    """Add a feed item to the open transaction."""
    event = ActivityEvent(
        type=type,
        actor_id=actor.id if actor is not None else None,
        target_type=target_type,
        target_id=target_id,
        student_id=student_id,
        cohort_id=cohort_id,
        mentor_id=mentor_id,
        payload=payload or {},
    )
    db.session.add(event)
    db.session.flush()  # the id and time the live item carries
    outbox.record_to_rooms(events.ACTIVITY_NEW, live_rooms(event), ACTIVITY.dump(event))
    return event


def live_rooms(event):
    """Who may see this item, as rooms; the same rules as _visible_to: the student and their
    current mentor, the cohort's members, the mentor of a session without a student, admins."""
    rooms = [ADMINS_ROOM]
    if event.student_id is not None:
        rooms.append(student_room(event.student_id))
        student = db.session.get(User, event.student_id)
        if student is not None and student.mentor_id is not None and student.is_active:
            rooms.append(mentor_room(student.mentor_id))
    elif event.mentor_id is not None:
        rooms.append(mentor_room(event.mentor_id))
    if event.cohort_id is not None:
        rooms.append(cohort_room(event.cohort_id))
    return rooms


def audit(entity_type, entity_id, action, actor, old=None, new=None):
    """Add an audit row to the open transaction: who changed what, from what, to what."""
    db.session.add(
        AuditLog(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            changed_by=actor.id if actor is not None else None,
            old_value=old,
            new_value=new,
        )
    )


def diff(before, after):
    """The fields that changed, as (old, new) dicts holding only those fields."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _visible_to(user):
    """The feed filter for `user`: a student's own and their cohorts', a mentor's students'."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.STUDENT:
        return or_(ActivityEvent.student_id == user.id, ActivityEvent.cohort_id.in_(access.cohort_ids_of(user.id)))
    # A mentor: events about their current students, and their own sessions for cohorts.
    return or_(
        ActivityEvent.student_id.in_(access.mentor_student_ids(user.id)),
        (ActivityEvent.student_id.is_(None) & (ActivityEvent.mentor_id == user.id)),
    )


def feed_for(user, type=None, student_id=None, before_id=None, after_id=None, limit=20):
    """A page of the feed, newest first; `after_id` keeps only items newer than that one (a
    page that shows the feed fetches what arrived since its top item)."""
    query = select(ActivityEvent)
    visible = _visible_to(user)
    if visible is not None:
        query = query.where(visible)
    if student_id is not None:
        access.visible_student(user, student_id)
        query = query.where(ActivityEvent.student_id == student_id)
    if type:
        query = query.where(ActivityEvent.type == type)
    if after_id is not None:
        query = query.where(ActivityEvent.id > after_id)
    return paging.newest_first(query, ActivityEvent.id, before_id=before_id, limit=limit)


def history(entity_type, entity_id):
    """Every audit row of one entity, oldest first (the caller has checked access)."""
    return db.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id)
    ).all()
