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


def envelope(code, message, details=None):
    """The one error body, for HTTP answers, socket replies and pages alike."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def domain_envelope(error):
    """The envelope of a domain error (app.services.shared.errors.DomainError)."""
    return envelope(error.code, error.message, error.details)
