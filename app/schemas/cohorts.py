"""Cohort request and answer shapes."""

from marshmallow import fields, validate

from app.schemas.common import StrictSchema, UTCDateTimeField


class CohortSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    created_at = UTCDateTimeField(dump_only=True)


class CohortEnvelope(StrictSchema):
    cohort = fields.Nested(CohortSchema)


class MemberSchema(StrictSchema):
    student_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class MemberResultSchema(StrictSchema):
    cohort_id = fields.Integer()
    student_id = fields.Integer(attribute="user_id")
    joined_at = UTCDateTimeField()
