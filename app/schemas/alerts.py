"""Crisis alert shapes: the one shape of an alert, its steps and its trigger, and the inputs."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.models.alerts import ACKNOWLEDGED, OPEN, OUTCOMES, RESOLVED, SOURCES
from app.models.concerns import STATUSES as CONCERN_STATUSES
from app.schemas.common import StrictSchema, UTCDateTimeField


class AlertStepSchema(Schema):
    action = fields.String()
    actor_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = UTCDateTimeField()


class TriggerSchema(Schema):
    """Why the alert was raised. Holds the student's words: mentor and admins only."""

    message = fields.String(attribute="intent.message")
    label = fields.String(attribute="intent.intent")
    confidence = fields.Float(attribute="intent.confidence")
    source = fields.String(metadata={"enum": list(SOURCES)})
    categories = fields.List(fields.String())
    matched = fields.List(fields.String())
    model = fields.Dict(
        allow_none=True,
        metadata={"description": "when the learned model fired: score, threshold and the top_features (n-grams)"},
    )
    messages = fields.Function(
        lambda alert: AlertMessageSchema(many=True).dump(alert.messages),
        metadata={"description": "every crisis message the alert holds, oldest first (the first is the one above)"},
    )


class AlertMessageSchema(Schema):
    """One message an alert holds, with its own trigger and its time."""

    intent_id = fields.Integer()
    message = fields.String(attribute="intent.message")
    label = fields.String(attribute="intent.intent")
    confidence = fields.Float(attribute="intent.confidence")
    severity = fields.String()
    source = fields.String(metadata={"enum": list(SOURCES)})
    categories = fields.List(fields.String())
    matched = fields.List(fields.String())
    model = fields.Dict(allow_none=True)
    created_at = UTCDateTimeField()


class AlertSchema(Schema):
    id = fields.Integer()
    student_id = fields.Integer()
    mentor_id = fields.Integer(allow_none=True)
    intent_id = fields.Integer()
    severity = fields.String()
    status = fields.String()
    source = fields.String(metadata={"description": "label, text or both: what flagged it"})
    categories = fields.List(fields.String())
    outcome = fields.String(allow_none=True)
    created_at = UTCDateTimeField()
    acknowledged_at = UTCDateTimeField(allow_none=True)
    acknowledged_by = fields.Integer(allow_none=True)
    resolved_at = UTCDateTimeField(allow_none=True)
    resolved_by = fields.Integer(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    escalation_level = fields.Integer()
    message_count = fields.Integer(
        metadata={"description": "crisis messages this alert holds (one open alert per student)"}
    )
    next_check_at = UTCDateTimeField(allow_none=True)


class AlertDetailSchema(AlertSchema):
    """An alert with its history and its trigger."""

    steps = fields.List(fields.Nested(AlertStepSchema))
    trigger = fields.Function(lambda alert: TriggerSchema().dump(alert))


class AlertEnvelope(Schema):
    alert = fields.Nested(AlertDetailSchema)


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
    outcome = fields.String(
        validate=validate.OneOf(OUTCOMES),
        metadata={"description": "supported (reached the student), referred (handed to services) or false_alarm"},
    )


class FeedbackQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="csv", validate=validate.OneOf(["csv"]))
    include_text = fields.Boolean(load_default=False)


class ConcernBriefSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(CONCERN_STATUSES)})


class ConcernSchema(Schema):
    """A concern on the mentor's review list: the message (a short excerpt) and why."""

    id = fields.Integer()
    student_id = fields.Integer()
    student_name = fields.String()
    excerpt = fields.String()
    categories = fields.List(fields.String())
    created_at = UTCDateTimeField()
    status = fields.String(metadata={"enum": list(CONCERN_STATUSES)})


class ConcernListSchema(Schema):
    items = fields.List(fields.Nested(ConcernSchema))


class ConcernEnvelope(Schema):
    concern = fields.Nested(ConcernSchema)


class ConcernQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(CONCERN_STATUSES))


class ConcernReviewSchema(StrictSchema):
    note = fields.String(validate=validate.Length(min=1, max=4000))


class MissedCrisisSchema(StrictSchema):
    intent_id = fields.Integer(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "the stored chatbot message (intent id) that should have alerted"},
    )
    category = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "one of the detector's categories (docs/crisis-detection.md); 422 otherwise"},
    )
    note = fields.String(validate=validate.Length(max=2000))


class MissedCrisisReportSchema(Schema):
    id = fields.Integer()
    student_id = fields.Integer()
    reporter_id = fields.Integer(allow_none=True)
    intent_id = fields.Integer()
    category = fields.String()
    note = fields.String(allow_none=True)
    created_at = UTCDateTimeField()


class MissedCrisisEnvelope(Schema):
    report = fields.Nested(MissedCrisisReportSchema)
