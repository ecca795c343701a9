"""Mentoring portal: entries, comments, tasks, feed, audit, metrics (sessions: schedules.py).

The response schemas here are each entity's one shape: REST answers, live events and
outbox payloads all dump through them (services import them; they import no service).
"""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.models.base import utcnow
from app.models.mentoring import ENTRY_STATUSES, REVIEW_STATUSES, TASK_STATUSES
from app.schemas.common import (
    DictOrEmpty,
    PageQuerySchema,
    StrictSchema,
    UTCDateTimeField,
    aware_datetime,
    strings,
    time_zone_field,
)
from app.schemas.context import rule

TITLE = validate.Length(min=1, max=200)
TEXT = validate.Length(max=20000)
ID = validate.Range(min=1)


def skills():
    return fields.List(fields.String(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=20))


class AtLeastOneField:
    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.", "_schema")


# -- entries ----------------------------------------------------------------------------


class EntryCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=TITLE)
    body = fields.String(load_default="", validate=TEXT)
    skills = skills()


class EntryUpdateSchema(AtLeastOneField, StrictSchema):
    title = fields.String(validate=TITLE)
    body = fields.String(validate=TEXT)
    skills = skills()


class EntryReviewSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(REVIEW_STATUSES))
    comment = fields.String(validate=validate.Length(min=1, max=4000))


class CommentCreateSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class EntryQuerySchema(PageQuerySchema):
    student_id = fields.Integer(validate=ID)
    status = fields.String(validate=validate.OneOf(ENTRY_STATUSES))


class CommentSchema(Schema):
    """A comment, in the REST answer, in the entry and in `comment:added`."""

    id = fields.Integer()
    entry_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = UTCDateTimeField()


class EntryStatusChangeSchema(Schema):
    """One step of an entry's review history."""

    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    changed_by = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)
    created_at = UTCDateTimeField()


class EntrySchema(Schema):
    """An entry as lists and live events (`entry:created`, `entry:statusChanged`) show it."""

    id = fields.Integer()
    student_id = fields.Integer()
    title = fields.String()
    body = fields.String()
    skills = strings()
    status = fields.String()
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = UTCDateTimeField(allow_none=True)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class EntryDetailSchema(EntrySchema):
    """One entry as its own REST answer: with its review history and comments, oldest first."""

    history = fields.List(fields.Nested(EntryStatusChangeSchema))
    comments = fields.List(fields.Nested(CommentSchema))


class EntryEnvelope(Schema):
    entry = fields.Nested(EntryDetailSchema)


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    next_before_id = fields.Integer(allow_none=True)


class CommentEnvelope(Schema):
    comment = fields.Nested(CommentSchema)


# -- tasks ------------------------------------------------------------------------------


class TaskCreateSchema(StrictSchema):
    student_id = fields.Integer(required=True, strict=True, validate=ID)
    title = fields.String(required=True, validate=TITLE)
    description = fields.String(load_default="", validate=TEXT)
    due_at = aware_datetime(allow_none=True)
    skills = skills()
    est_hours = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1000))


class TaskUpdateSchema(AtLeastOneField, StrictSchema):
    title = fields.String(validate=TITLE)
    description = fields.String(validate=TEXT)
    due_at = aware_datetime(allow_none=True)
    skills = skills()
    est_hours = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1000))


class TaskStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(TASK_STATUSES))


class TaskQuerySchema(PageQuerySchema):
    student_id = fields.Integer(validate=ID)
    status = fields.String(validate=validate.OneOf(TASK_STATUSES))
    overdue = fields.Boolean()


def _overdue(task):
    """Open and past its due time (rule `now`: the moment to judge by, else the dump's)."""
    return task.status == "open" and task.due_at is not None and task.due_at < (rule("now") or utcnow())


class TaskSchema(Schema):
    """A task, in REST answers and in `task:assigned`."""

    id = fields.Integer()
    mentor_id = fields.Integer(allow_none=True)
    student_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    skills = strings()
    est_hours = fields.Float(allow_none=True)
    due_at = UTCDateTimeField(allow_none=True)
    status = fields.String()
    overdue = fields.Function(_overdue, metadata={"type": "boolean"})
    completed_at = UTCDateTimeField(allow_none=True)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class TaskEnvelope(Schema):
    task = fields.Nested(TaskSchema)


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    next_before_id = fields.Integer(allow_none=True)


# -- feed, audit, metrics ---------------------------------------------------------------


class ActivityQuerySchema(PageQuerySchema):
    type = fields.String(validate=validate.Length(min=1, max=50))
    student_id = fields.Integer(validate=ID)


class ActivitySchema(Schema):
    """An activity feed item."""

    id = fields.Integer()
    type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    target_type = fields.String()
    target_id = fields.Integer()
    student_id = fields.Integer(allow_none=True)
    cohort_id = fields.Integer(allow_none=True)
    payload = DictOrEmpty()
    created_at = UTCDateTimeField()


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    next_before_id = fields.Integer(allow_none=True)


class AuditSchema(Schema):
    """An audit log row: who changed what, from what, to what."""

    id = fields.Integer()
    entity_type = fields.String()
    entity_id = fields.Integer()
    action = fields.String()
    changed_by = fields.Integer(allow_none=True)
    old_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)
    created_at = UTCDateTimeField()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditSchema))


class MetricsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    tz = time_zone_field(load_default=None)


class MentorMetricsSchema(Schema):
    active_students = fields.Integer()
    entries = fields.Dict()
    tasks = fields.Dict()
    sessions_today = fields.Dict()
    tz = fields.String()
    computed_at = fields.String()
    cached = fields.Boolean()
