"""Mentoring sessions and their attendance: request bodies, the one response shape, the day view."""

from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from app.models.schedules import ATTENDANCE_STATUSES, SCHEDULE_STATUSES
from app.schemas.common import (
    ListOrEmpty,
    PageQuerySchema,
    StrictSchema,
    UTCDateTimeField,
    aware_datetime,
    calendar_date,
    time_zone_field,
)
from app.schemas.context import rule
from app.schemas.portal import ID, TEXT, TITLE, AtLeastOneField


def split_tags(value):
    """A comma-separated string ("react, flask") as its list of tags; a list as it is."""
    if isinstance(value, str):
        return [tag.strip() for tag in value.split(",") if tag.strip()]
    return value


class TagList(fields.List):
    """A list of tags that also takes a comma-separated string (seed 002 stores text), and
    always answers the list (an old row holding text or null included)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(split_tags(value), attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(split_tags(value) or [], attr, obj, **kwargs)


def focus_stack_field():
    """Skills tags as a list or a comma-separated string (at most 20, each 1 to 40 characters)."""
    return TagList(
        fields.String(validate=validate.Length(min=1, max=40)),
        validate=validate.Length(max=20),
        metadata={"description": 'A list of tags, or one comma-separated string ("react, flask").'},
    )


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
    focus_stack = focus_stack_field()

    @validates_schema
    def one_audience(self, data, **kwargs):
        if data.get("student_id") is not None and data.get("cohort_id") is not None:
            raise ValidationError("Give a student_id or a cohort_id (group session), not both.", "cohort_id")


class ScheduleUpdateSchema(_Times, AtLeastOneField, StrictSchema):
    title = fields.String(validate=TITLE)
    start_time = aware_datetime()
    end_time = aware_datetime()
    description = fields.String(validate=TEXT)
    focus_stack = focus_stack_field()
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
    start_from = DateOrDateTime(data_key="from", metadata={"description": "YYYY-MM-DD (in ?tz=) or ISO 8601"})
    start_to = DateOrDateTime(data_key="to", metadata={"description": "YYYY-MM-DD (in ?tz=) or ISO 8601"})
    date = calendar_date()
    tz = time_zone_field(load_default="UTC")
    status = fields.String(validate=validate.OneOf(SCHEDULE_STATUSES))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class AttendanceSchema(Schema):
    student_id = fields.Integer()
    status = fields.String()
    marked_by = fields.Integer(allow_none=True)
    marked_at = UTCDateTimeField()


class _SeenAttendance(ListOrEmpty):
    """Only the rows of students the viewer may see (rule `sees_student`, a predicate on a
    student id); none without one, as in live events, which whole cohorts receive."""

    def _serialize(self, value, attr, obj, **kwargs):
        sees = rule("sees_student")
        rows = [a for a in value or () if sees is not None and sees(a.student_id)]
        return super()._serialize(rows, attr, obj, **kwargs)


def _local(attr):
    """The time in the rule `tz` (ISO 8601 with its offset); absent when no tz was asked for."""

    def local(s):
        tz = rule("tz")
        return missing if tz is None else getattr(s, attr).astimezone(ZoneInfo(tz)).isoformat()

    return fields.Function(local, metadata={"type": "string", "format": "date-time"})


class ScheduleSchema(Schema):
    """A session, in REST answers and in the `schedule:*` events."""

    id = fields.Integer()
    mentor_id = fields.Integer()
    student_id = fields.Integer(allow_none=True)
    cohort_id = fields.Integer(allow_none=True)
    is_group = fields.Boolean()
    title = fields.String()
    description = fields.String()
    start_time = UTCDateTimeField()
    end_time = UTCDateTimeField()
    focus_stack = TagList(fields.String())
    status = fields.String()
    attendance = _SeenAttendance(fields.Nested(AttendanceSchema))
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    local_start = _local("start_time")
    local_end = _local("end_time")


class ScheduleEnvelope(Schema):
    schedule = fields.Nested(ScheduleSchema)


class HourSchema(Schema):
    hour = fields.String(metadata={"description": "HH:MM in the asked time zone"})
    start = UTCDateTimeField()
    schedule_ids = fields.List(fields.Integer())


class DaySchema(Schema):
    date = fields.Date()
    tz = fields.String()
    hours = fields.List(fields.Nested(HourSchema))


class SchedulePageSchema(Schema):
    items = fields.List(fields.Nested(ScheduleSchema))
    next_before_id = fields.Integer(allow_none=True)
    day = fields.Nested(DaySchema)
