"""Tasks: a mentor assigns work to one of their students; the student (or mentor) marks it done.

Who hears about a task is decided by the student's current mentor, never by the task's
mentor_id (who assigned it): after a reassignment the new mentor is told, the old one not.
Every edit and status change also goes out as `task:updated` to the student and that mentor.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import Role, Task, User, iso, utcnow
from app.schemas.portal import TaskSchema
from app.services.activity import feed as activity
from app.services.dashboard import queue as dashboard_queue
from app.services.identity import access
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.portal import mentor_metrics
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room, student_room
from app.services.shared import paging
from app.services.shared.errors import NotFound
from app.services.shared.transaction import commit

TASK = TaskSchema()


def _audit_view(task):
    return {
        "title": task.title,
        "description": task.description,
        "skills": task.skills or [],
        "est_hours": task.est_hours,
        "due_at": iso(task.due_at),
        "status": task.status,
    }


def visible_task(user, task_id):
    task = db.session.get(Task, task_id)
    if task is None or not access.can_see_student(user, db.session.get(User, task.student_id)):
        raise NotFound("task_not_found", f"No task with id {task_id} among yours.")
    return task


def _announce_updated(task, student, changes):
    rooms = [student_room(student.id), mentor_room(student.mentor_id) if student.mentor_id else None]
    outbox.record_to_rooms(events.TASK_UPDATED, rooms, {"task": TASK.dump(task), "changes": changes})


def create(mentor, student_id, title, description="", due_at=None, skills=None, est_hours=None):
    """Assign a task to one of this mentor's students; both dashboards hear `task:assigned`."""
    student = access.mentor_student(mentor, student_id)
    task = Task(
        mentor_id=student.mentor_id if mentor.role == Role.ADMIN else mentor.id,
        student_id=student.id,
        title=title,
        description=description,
        due_at=due_at,
        skills=skills or [],
        est_hours=est_hours,
    )
    db.session.add(task)
    db.session.flush()
    activity.audit("task", task.id, "create", mentor, None, _audit_view(task))
    activity.record(
        "task:assigned",
        mentor,
        "task",
        task.id,
        student_id=student.id,
        mentor_id=task.mentor_id,
        payload={"title": title, "due_at": iso(due_at)},
    )
    notifications.notify(
        student, notification_types.TASK_ASSIGNED, f"New task: {title}", description[:200], {"task_id": task.id}
    )
    rooms = [student_room(student.id), mentor_room(task.mentor_id) if task.mentor_id else None]
    outbox.record_to_rooms(events.TASK_ASSIGNED, rooms, {"task": TASK.dump(task)})
    mentor_metrics.changed(task.mentor_id)
    dashboard_queue.queue_refresh_for(task, "task:assigned")
    commit()
    return task


def list_tasks(user, student_id=None, status=None, overdue=None, before_id=None, limit=20):
    """Tasks the caller may see, newest first."""
    query = access.scope_to_students(select(Task), Task.student_id, user, student_id)
    if status:
        query = query.where(Task.status == status)
    if overdue is not None:
        late = (Task.status == "open") & (Task.due_at < utcnow())
        query = query.where(late if overdue else ~late | Task.due_at.is_(None))
    return paging.newest_first(query, Task.id, before_id=before_id, limit=limit)


def update(mentor, task_id, changes):
    """The mentor edits a task's details."""
    task = visible_task(mentor, task_id)
    before = _audit_view(task)
    for field, value in changes.items():
        setattr(task, field, value)
    old, new = activity.diff(before, _audit_view(task))
    if new:
        activity.audit("task", task.id, "update", mentor, old, new)
        activity.record(
            "task:updated",
            mentor,
            "task",
            task.id,
            student_id=task.student_id,
            mentor_id=task.mentor_id,
            payload={"changes": sorted(new)},
        )
        student = db.session.get(User, task.student_id)
        notifications.notify(
            student,
            notification_types.TASK_UPDATED,
            f'Task "{task.title}" was changed',
            "",
            {"task_id": task.id, "changes": sorted(new)},
        )
        db.session.flush()
        _announce_updated(task, student, sorted(new))
        mentor_metrics.changed(student.mentor_id)
        dashboard_queue.queue_refresh_for(task, "task:updated")
        commit()
    return task


def set_status(user, task_id, status):
    """Mark a task done (or open again): the student or their mentor; the other side is told."""
    task = visible_task(user, task_id)
    if task.status == status:
        return task
    old = task.status
    task.status = status
    task.completed_at = utcnow() if status == "done" else None
    activity.audit("task", task.id, "status", user, {"status": old}, {"status": status})
    student = db.session.get(User, task.student_id)
    activity.record(
        "task:completed" if status == "done" else "task:reopened",
        user,
        "task",
        task.id,
        student_id=student.id,
        mentor_id=student.mentor_id,
        payload={"title": task.title},
    )
    if user.id == student.id and student.mentor_id:
        mentor = db.session.get(User, student.mentor_id)
        notifications.notify(
            mentor,
            notification_types.TASK_COMPLETED if status == "done" else notification_types.TASK_REOPENED,
            f'{student.name} {"completed" if status == "done" else "reopened"} "{task.title}"',
            "",
            {"task_id": task.id},
        )
    elif user.id != student.id:
        notifications.notify(
            student, notification_types.TASK_UPDATED, f'Task "{task.title}" is now {status}', "", {"task_id": task.id}
        )
    db.session.flush()
    _announce_updated(task, student, ["status"])
    mentor_metrics.changed(student.mentor_id)
    dashboard_queue.queue_refresh_for(task, f"task:{status}")
    commit()
    return task
