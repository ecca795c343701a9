"""What follows when a student moves to another mentor: "the current mentor, everywhere".

Permission checks and recipients already follow the student's current mentor (access.py,
tasks.py, entries.py, schedules.py). What is left is the work in flight, settled here in
the reassignment's own transaction:

- open tasks move to the new mentor (their mentor_id; done tasks keep who assigned them);
- upcoming 1:1 sessions with the previous mentor are CANCELED, not moved: they were booked
  in the previous mentor's calendar, and moving them could double-book the new mentor. The
  student is notified (schedule_updated) and hears `schedule:updated`; the new mentor books
  their own. Group sessions stay: they belong to the cohort, not to the student.
- after the commit, the open sockets of the student and of both mentors are put back into
  exactly their rooms on every web process (identity.rooms.refresh_rooms).

- unresolved crisis alerts, and their escalation ladder, move to the new mentor, who is
  told at once (alerts.move_to_mentor); the previous mentor loses access.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import Schedule, Task, User, utcnow
from app.services.activity import feed as activity
from app.services.crisis import alerts
from app.services.identity import rooms
from app.services.portal import schedules
from app.services.shared.transaction import after_commit

REASON = "mentor_changed"


def on_mentor_changed(student, previous_mentor_id, new_mentor_id, actor, now=None):
    """Settle tasks and sessions inside the open transaction; refresh rooms after its commit."""
    now = now or utcnow()
    tasks = db.session.scalars(select(Task).where(Task.student_id == student.id, Task.status == "open")).all()
    for task in tasks:
        if task.mentor_id != new_mentor_id:
            old, new = {"mentor_id": task.mentor_id}, {"mentor_id": new_mentor_id}
            activity.audit("task", task.id, "reassign", actor, old, new)
            task.mentor_id = new_mentor_id
    canceled = []
    if previous_mentor_id is not None:
        upcoming = db.session.scalars(
            select(Schedule)
            .where(
                Schedule.student_id == student.id,
                Schedule.mentor_id == previous_mentor_id,
                Schedule.status == "scheduled",
                Schedule.start_time > now,
            )
            .order_by(Schedule.start_time)
        ).all()
        for s in upcoming:
            schedules.cancel_in_transaction(s, actor, REASON)
            canceled.append(s.id)
    alerts.move_to_mentor(student, db.session.get(User, new_mentor_id), actor)
    user_ids = [uid for uid in (student.id, previous_mentor_id, new_mentor_id) if uid is not None]
    after_commit(lambda: [rooms.refresh_rooms(uid) for uid in user_ids])
    return {"tasks_moved": len(tasks), "sessions_canceled": canceled}
