"""Student dashboard: query flags, the action body, the answers."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.schemas.common import StrictSchema
from app.services.dashboard.actions import ACTIONS


class DashboardQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # cache-busting parameters (?_=...) are harmless

    include_notifications = fields.Boolean(load_default=True)
    include_ai_nudge = fields.Boolean(load_default=True)


class DashboardSchema(Schema):
    readiness = fields.Raw()
    today = fields.Dict()
    quick_stats = fields.Dict()
    cards = fields.Dict()
    notifications = fields.Dict(allow_none=True)
    leaderboard = fields.Raw()
    ai_nudge = fields.Raw(allow_none=True)
    last_updated = fields.String()
    access = fields.Dict()
    warning = fields.Dict(allow_none=True)
    source = fields.String()
    refresh_queued = fields.Boolean()


class ActionSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(sorted(ACTIONS)))
    mission_id = fields.Integer(validate=validate.Range(min=1))
    entry_id = fields.Integer(validate=validate.Range(min=1))
    habit = fields.String(validate=validate.Length(min=1, max=80))
    goal = fields.String(validate=validate.Length(min=1, max=200))
    minutes = fields.Integer(validate=validate.Range(min=0, max=1440))
    note = fields.String(validate=validate.Length(max=500))


class ActionAnswerSchema(Schema):
    status = fields.String()
    action = fields.String()
    priority = fields.String()


class StreamTokenSchema(Schema):
    stream_token = fields.String()
    expires_in = fields.Integer()
