"""Chatbot intent request and answer."""

from marshmallow import fields, validate

from app.models.alerts import SEVERITIES
from app.schemas.alerts import ConcernBriefSchema
from app.schemas.common import StrictSchema


class IntentSchema(StrictSchema):
    student_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    message = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    intent = fields.String(required=True, validate=validate.Length(min=1, max=64))
    confidence = fields.Float(required=True, validate=validate.Range(min=0, max=1), allow_nan=False)
    severity = fields.String(validate=validate.OneOf(SEVERITIES))


class AlertBriefSchema(StrictSchema):
    id = fields.Integer()
    severity = fields.String()
    status = fields.String()


class IntentResultSchema(StrictSchema):
    id = fields.Integer()
    intent = fields.String()
    crisis = fields.Boolean()
    alert = fields.Nested(AlertBriefSchema, allow_none=True)
    concern = fields.Nested(
        ConcernBriefSchema,
        allow_none=True,
        metadata={"description": "the review tier: risk signals without a clear crisis; null when `crisis`"},
    )
