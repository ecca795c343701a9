"""Notification and alert shapes, and their list filters."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.models.alerts import ACKNOWLEDGED, OPEN, RESOLVED
from app.schemas.common import StrictSchema


class NotificationSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    title = fields.String()
    body = fields.String()
    data = fields.Dict()
    created_at = fields.String()
    read_at = fields.String(allow_none=True)
    pinned = fields.Boolean()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread_count = fields.Integer()
    next_before_id = fields.Integer(allow_none=True)
    next_since_id = fields.Integer(allow_none=True)


class NotificationQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(validate=validate.Length(min=1, max=40))
    unread = fields.Boolean()
    since_id = fields.Integer(validate=validate.Range(min=0))
    before_id = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class ReadAllSchema(Schema):
    updated = fields.Integer(required=True, metadata={"description": "How many were marked read"})
    unread_count = fields.Integer(required=True)


class ExportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="csv", validate=validate.OneOf(["csv"]))


class AlertSchema(Schema):
    id = fields.Integer()
    student_id = fields.Integer()
    mentor_id = fields.Integer(allow_none=True)
    intent_id = fields.Integer()
    severity = fields.String()
    status = fields.String()
    created_at = fields.String()
    acknowledged_at = fields.String(allow_none=True)
    acknowledged_by = fields.Integer(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    resolved_by = fields.Integer(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    escalation_level = fields.Integer()
    next_check_at = fields.String(allow_none=True)
    steps = fields.List(fields.Dict())


class AlertEnvelope(Schema):
    alert = fields.Nested(AlertSchema)


class AlertPageSchema(Schema):
    items = fields.List(fields.Nested(AlertSchema))
    next_before_id = fields.Integer(allow_none=True)


class AlertQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf([OPEN, ACKNOWLEDGED, RESOLVED]))
    student_id = fields.Integer(validate=validate.Range(min=1))
    before_id = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ResolveSchema(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
