"""Entries and their comments."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.api.portal import blp
from app.schemas.portal import (
    CommentCreateSchema,
    CommentEnvelope,
    EntryCreateSchema,
    EntryEnvelope,
    EntryPageSchema,
    EntryQuerySchema,
    EntryReviewSchema,
    EntryUpdateSchema,
)
from app.services.portal import entries

ANYONE = ("student", "mentor", "admin")


@blp.post("/entries")
@role_required("student")
@blp.arguments(EntryCreateSchema)
@idempotent
@blp.response(201, EntryEnvelope)
def create_entry(body):
    """Log a work or journal entry (students); the mentor hears entry:created.

    Who: students.
    Body `title`, optional `body`, `skills` (tags) → 201 `{"entry"}` with status `pending`.
    """
    return {"entry": entries.create(current_user, **body)}


@blp.get("/entries")
@role_required(*ANYONE)
@blp.arguments(EntryQuerySchema, location="query")
@blp.response(200, EntryPageSchema)
def list_entries(query):
    """Entries the caller may see, newest first; ?student_id= and ?status= filter.

    Who: students, mentors and admins.
    Items without `history` and `comments`; page with `?before_id=` (the answer's `next_before_id`)
    and `?limit=`.
    """
    return entries.list_entries(current_user, **query)


@blp.get("/entries/<int:entry_id>")
@role_required(*ANYONE)
@blp.response(200, EntryEnvelope)
def get_entry(entry_id):
    """One entry with its review history and comments.

    Who: students, mentors and admins.
    `history`: every status change (from, to, who, when, comment), oldest first.
    """
    return {"entry": entries.visible_entry(current_user, entry_id)}


@blp.patch("/entries/<int:entry_id>")
@role_required("student")
@blp.arguments(EntryUpdateSchema)
@blp.response(200, EntryEnvelope)
def update_entry(body, entry_id):
    """Edit your own entry; one marked needs_revision goes back to pending.

    Who: students.
    Approved or rejected entries are closed (409 `entry_closed`).
    """
    return {"entry": entries.update(current_user, entry_id, body)}


@blp.patch("/entries/<int:entry_id>/status")
@role_required("mentor", "admin")
@blp.arguments(EntryReviewSchema)
@blp.response(200, EntryEnvelope)
def review_entry(body, entry_id):
    """Review an entry: approved, needs_revision or rejected, optionally with a comment.

    Who: mentors and admins.
    The student hears `entry:statusChanged` and gets a notification.
    """
    return {"entry": entries.review(current_user, entry_id, **body)}


@blp.post("/entries/<int:entry_id>/comments")
@role_required(*ANYONE)
@blp.arguments(CommentCreateSchema)
@idempotent
@blp.response(201, CommentEnvelope)
def add_comment(body, entry_id):
    """Comment on an entry (its student, their mentor, or an admin).

    Who: students, mentors and admins.
    Body `body` → 201 `{"comment"}`; both sides hear `comment:added` and the other side gets a
    notification.
    """
    return {"comment": entries.add_comment(current_user, entry_id, body["body"])}
