"""Shared field types and base schema."""

from marshmallow import RAISE, Schema, fields

from app.models.base import iso


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


class UTCDateTimeField(fields.DateTime):
    """ISO 8601 in UTC with a Z, as the contract says."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return iso(value)
