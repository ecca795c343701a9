"""Mentoring portal: entries, comments, tasks, schedules, attendance, feed, audit, metrics."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.models.mentoring import ENTRY_STATUSES, REVIEW_STATUSES, TASK_STATUSES
from app.models.schedules import ATTENDANCE_STATUSES, SCHEDULE_STATUSES
from app.schemas.common import PageQuerySchema, StrictSchema, aware_datetime, calendar_date, time_zone_field

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
    id = fields.Integer()
    entry_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = fields.String()


class EntrySchema(Schema):
    id = fields.Integer()
    student_id = fields.Integer()
    title = fields.String()
    body = fields.String()
    skills = fields.List(fields.String())
    status = fields.String()
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    history = fields.List(fields.Dict())
    comments = fields.List(fields.Nested(CommentSchema))


class EntryEnvelope(Schema):
    entry = fields.Nested(EntrySchema)


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


class TaskSchema(Schema):
    id = fields.Integer()
    mentor_id = fields.Integer(allow_none=True)
    student_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    skills = fields.List(fields.String())
    est_hours = fields.Float(allow_none=True)
    due_at = fields.String(allow_none=True)
    status = fields.String()
    overdue = fields.Boolean()
    completed_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class TaskEnvelope(Schema):
    task = fields.Nested(TaskSchema)


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    next_before_id = fields.Integer(allow_none=True)


# -- schedules --------------------------------------------------------------------------


class _Times:
    @validates_schema
    def end_after_start(self, data, **kwargs):
        start, end = data.get("start_time"), data.get("end_time")
        if start is not None and end is not None and end <= start:
            raise ValidationError("Must be after start_time.", "end_time")


class ScheduleCreateSchema(_Times, StrictSchema):
    title = fields.String(required=True, validate=TITLE)
    start_time = aware_datetime(required=True)
    end_time = aware_datetime(required=True)
    student_id = fields.Integer(strict=True, validate=ID)
    cohort_id = fields.Integer(strict=True, validate=ID)
    description = fields.String(load_default="", validate=TEXT)
    focus_stack = skills()

    @validates_schema
    def one_audience(self, data, **kwargs):
        if data.get("student_id") is not None and data.get("cohort_id") is not None:
            raise ValidationError("Give a student_id or a cohort_id (group session), not both.", "cohort_id")


class ScheduleUpdateSchema(_Times, AtLeastOneField, StrictSchema):
    title = fields.String(validate=TITLE)
    start_time = aware_datetime()
    end_time = aware_datetime()
    description = fields.String(validate=TEXT)
    focus_stack = skills()
    # Assign the session after booking (null: to nobody); either one, like POST.
    student_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    cohort_id = fields.Integer(strict=True, validate=ID, allow_none=True)

    @validates_schema
    def one_audience(self, data, **kwargs):
        if data.get("student_id") is not None and data.get("cohort_id") is not None:
            raise ValidationError("Give a student_id or a cohort_id (group session), not both.", "cohort_id")


class ScheduleStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(SCHEDULE_STATUSES))


class AttendanceMarkSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    student_id = fields.Integer(strict=True, validate=ID)


class DateOrDateTime(fields.Field):
    """A YYYY-MM-DD day (whole days, in ?tz=) or an ISO 8601 moment."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) == 10:
            return calendar_date().deserialize(value)
        return aware_datetime().deserialize(value)


class ScheduleQuerySchema(PageQuerySchema):
    student_id = fields.Integer(validate=ID)
    start_from = DateOrDateTime(data_key="from")
    start_to = DateOrDateTime(data_key="to")
    date = calendar_date()
    tz = time_zone_field(load_default="UTC")
    status = fields.String(validate=validate.OneOf(SCHEDULE_STATUSES))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class ScheduleSchema(Schema):
    id = fields.Integer()
    mentor_id = fields.Integer()
    student_id = fields.Integer(allow_none=True)
    cohort_id = fields.Integer(allow_none=True)
    is_group = fields.Boolean()
    title = fields.String()
    description = fields.String()
    start_time = fields.String()
    end_time = fields.String()
    local_start = fields.String()
    local_end = fields.String()
    focus_stack = fields.List(fields.String())
    status = fields.String()
    attendance = fields.List(fields.Dict())
    created_at = fields.String()
    updated_at = fields.String()


class ScheduleEnvelope(Schema):
    schedule = fields.Nested(ScheduleSchema)


class SchedulePageSchema(Schema):
    items = fields.List(fields.Nested(ScheduleSchema))
    next_before_id = fields.Integer(allow_none=True)
    day = fields.Dict()


# -- feed, audit, metrics ---------------------------------------------------------------


class ActivityQuerySchema(PageQuerySchema):
    type = fields.String(validate=validate.Length(min=1, max=50))
    student_id = fields.Integer(validate=ID)


class ActivitySchema(Schema):
    id = fields.Integer()
    type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    target_type = fields.String()
    target_id = fields.Integer()
    student_id = fields.Integer(allow_none=True)
    cohort_id = fields.Integer(allow_none=True)
    payload = fields.Dict()
    created_at = fields.String()


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    next_before_id = fields.Integer(allow_none=True)


class AuditSchema(Schema):
    id = fields.Integer()
    entity_type = fields.String()
    entity_id = fields.Integer()
    action = fields.String()
    changed_by = fields.Integer(allow_none=True)
    old_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)
    created_at = fields.String()


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
