"""Shared field types and base schema."""

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

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


def aware_datetime(**kwargs):
    """An ISO 8601 input time; one without an offset is taken as UTC."""
    from datetime import UTC

    return fields.AwareDateTime(default_timezone=UTC, **kwargs)


def time_zone_field(**kwargs):
    """An IANA time zone name such as Europe/Berlin."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    def valid(name):
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError("Not a known time zone (use an IANA name such as Europe/Berlin).") from exc

    return fields.String(validate=[validate.Length(min=1, max=64), valid], **kwargs)


class PageQuerySchema(Schema):
    """Newest-first paging by id; unknown query parameters are ignored, as browsers add their own."""

    class Meta:
        unknown = EXCLUDE

    before_id = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))

    @pre_load
    def camel_case_aliases(self, data, **kwargs):
        """The seed's dashboards send ?studentId=; the contract accepts it as an alias."""
        if "studentId" in data and "student_id" not in data:
            data = dict(data)
            data["student_id"] = data["studentId"]
        return data


