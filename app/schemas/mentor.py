"""Mentor views: students list and insights."""

from marshmallow import Schema, fields


class MentorStudentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    cohort_ids = fields.List(fields.Integer())
    is_active = fields.Boolean()
    open_alerts = fields.Integer()
    last_activity_at = fields.String(allow_none=True)


class MentorStudentListSchema(Schema):
    items = fields.List(fields.Nested(MentorStudentSchema))


class InsightsSchema(Schema):
    student = fields.Dict()
    insights = fields.Dict()
    cached = fields.Boolean()
    computed_at = fields.String()
    partial = fields.Boolean()
    recomputing = fields.Boolean()
