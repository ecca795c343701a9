"""Notification shapes and their list filters (crisis alerts: app/schemas/alerts.py)."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.schemas.common import DictOrEmpty, StrictSchema, UTCDateTimeField
from app.schemas.context import rule


class NotificationSchema(Schema):
    """A notification, in the REST inbox, the `notification` event and the Redis fast list alike.
    `pinned`: an open crisis alert's, kept at the top (rule `pinned`: the pinned ids)."""

    id = fields.Integer()
    type = fields.String()
    title = fields.String()
    body = fields.String()
    data = DictOrEmpty()
    created_at = UTCDateTimeField()
    read_at = UTCDateTimeField(allow_none=True)
    pinned = fields.Function(lambda n: n.id in rule("pinned", ()), metadata={"type": "boolean"})


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


class ChannelsSchema(StrictSchema):
    in_app = fields.Boolean()
    email = fields.Boolean()


class PreferencesSchema(StrictSchema):
    """GET answers every known type; a PUT may send only the types it changes."""

    types = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)), values=fields.Nested(ChannelsSchema)
    )
    email_digest = fields.String(validate=validate.OneOf(["off", "daily", "weekly"]))
