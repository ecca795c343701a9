"""Tasks a mentor assigns."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.api.portal import blp
from app.schemas.portal import (
    TaskCreateSchema,
    TaskEnvelope,
    TaskPageSchema,
    TaskQuerySchema,
    TaskStatusSchema,
    TaskUpdateSchema,
)
from app.services.portal import tasks


@blp.post("/tasks")
@role_required("mentor", "admin")
@blp.arguments(TaskCreateSchema)
@idempotent
@blp.response(201, TaskEnvelope)
def create_task(body):
    """Assign a task to one of your students; they hear task:assigned.

    Who: mentors and admins.
    Body `student_id`, `title`, optional `description`, `due_at`, `skills`, `est_hours` → 201
    `{"task"}`.
    """
    return {"task": tasks.create(current_user, **body)}


@blp.get("/tasks")
@role_required("student", "mentor", "admin")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskPageSchema)
def list_tasks(query):
    """Tasks the caller may see, newest first; ?student_id=, ?status=, ?overdue=true filter.

    Who: students, mentors and admins.
    Each task says whether it is `overdue` (open and past `due_at`).
    """
    return tasks.list_tasks(current_user, **query)


@blp.get("/tasks/<int:task_id>")
@role_required("student", "mentor", "admin")
@blp.response(200, TaskEnvelope)
def get_task(task_id):
    """One task.

    Who: students, mentors and admins.
    """
    return {"task": tasks.visible_task(current_user, task_id)}


@blp.patch("/tasks/<int:task_id>")
@role_required("mentor", "admin")
@blp.arguments(TaskUpdateSchema)
@blp.response(200, TaskEnvelope)
def update_task(body, task_id):
    """Change a task's title, description, due date, skills or estimate.

    Who: mentors and admins.
    """
    return {"task": tasks.update(current_user, task_id, body)}


@blp.patch("/tasks/<int:task_id>/status")
@role_required("student", "mentor", "admin")
@blp.arguments(TaskStatusSchema)
@blp.response(200, TaskEnvelope)
def set_task_status(body, task_id):
    """Mark a task done (or open again).

    Who: students, mentors and admins.
    The student or their mentor: `open` or `done` (sets `completed_at`); the other side gets a
    notification.
    """
    return {"task": tasks.set_status(current_user, task_id, body["status"])}
