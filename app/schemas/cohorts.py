"""Cohort request and answer shapes."""

from marshmallow import fields, validate

from app.schemas.common import StrictSchema, UTCDateTimeField

JOIN_CODE = validate.Length(min=4, max=64)


class CohortSchema(StrictSchema):
    """A cohort as admins create and see it (the join code included)."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    open = fields.Boolean(attribute="is_open", load_default=False)
    join_code = fields.String(allow_none=True, validate=JOIN_CODE)
    created_at = UTCDateTimeField(dump_only=True)


class CohortUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    open = fields.Boolean(attribute="is_open")
    join_code = fields.String(allow_none=True, validate=JOIN_CODE)


class PublicCohortSchema(StrictSchema):
    """A cohort as students see it: whether it needs a code, never the code."""

    id = fields.Integer()
    name = fields.String()
    open = fields.Boolean(attribute="is_open")
    requires_code = fields.Function(lambda c: not c.is_open and c.join_code is not None)
    created_at = UTCDateTimeField()


class CohortEnvelope(StrictSchema):
    cohort = fields.Nested(CohortSchema)


class PublicCohortEnvelope(StrictSchema):
    cohort = fields.Nested(PublicCohortSchema)


class CohortListQuerySchema(StrictSchema):
    joinable = fields.Boolean(load_default=False)


class CohortListSchema(StrictSchema):
    items = fields.List(fields.Nested(PublicCohortSchema))


class JoinSchema(StrictSchema):
    code = fields.String(validate=validate.Length(min=1, max=64))


class MemberSchema(StrictSchema):
    student_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class MemberResultSchema(StrictSchema):
    cohort_id = fields.Integer()
    student_id = fields.Integer(attribute="user_id")
    joined_at = UTCDateTimeField()


class AdminCohortListSchema(StrictSchema):
    items = fields.List(fields.Nested(CohortSchema))


class AssignCohortSchema(StrictSchema):
    cohort_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
