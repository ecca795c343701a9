"""The one error envelope, as the OpenAPI spec documents it for every operation."""

from marshmallow import Schema, fields


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "A sentence for people"})
    details = fields.Dict(
        required=True,
        metadata={"description": "Per-field messages ({field: [messages]}) or other context; may be empty"},
    )


class ErrorSchema(Schema):
    """{"error": {"code", "message", "details"}}: every 4xx and 5xx answer of Pulse."""

    error = fields.Nested(ErrorBodySchema, required=True)
