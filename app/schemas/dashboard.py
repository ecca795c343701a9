"""Student dashboard: query flags, the action body, the answers."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.models.dashboard import ACTIONS, ALIASES
from app.schemas.common import StrictSchema, aware_datetime


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


class MissionId(fields.Field):
    """A mission: a Pulse task id (an integer, or its digits as a string), or an outside
    mission service's own id (a string such as "m-42")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise ValidationError("Must be greater than or equal to 1.")
            return value
        if isinstance(value, str) and 1 <= len(value.strip()) <= 64:
            value = value.strip()
            return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else value
        raise ValidationError("A mission id: a positive integer or a string of 1 to 64 characters.")


class ActionSchema(StrictSchema):
    """The specification's sample body works: its action names (start_mission, ...) are
    accepted as aliases of Pulse's, mission ids may be strings, estimated_completion is a time."""

    action = fields.String(required=True, validate=validate.OneOf(sorted([*ACTIONS, *ALIASES])))
    mission_id = MissionId()
    estimated_completion = aware_datetime()
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
