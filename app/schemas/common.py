"""Shared field types and base schema."""

import functools
import zoneinfo
from datetime import UTC

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from app.models.base import iso


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped. (Text no column can store is
    cleaned before any schema loads a body: app/api/ids.py.)"""

    class Meta:
        unknown = RAISE


class UTCDateTimeField(fields.DateTime):
    """ISO 8601 in UTC with a Z, as the contract says."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return iso(value)


class ListOrEmpty(fields.List):
    """A list that dumps a missing value (a JSON null in an old row) as []."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize([] if value is None else value, attr, obj, **kwargs)


class DictOrEmpty(fields.Dict):
    """A mapping that dumps a missing value (a JSON null in an old row) as {}."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize({} if value is None else value, attr, obj, **kwargs)


def strings():
    """A list of strings such as skills tags, [] when unset."""
    return ListOrEmpty(fields.String())


# Times far outside this range are typos, and near year 1 or 9999 they overflow on conversion to UTC.
MIN_YEAR, MAX_YEAR = 1970, 2200


def _in_range(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Must be between the years {MIN_YEAR} and {MAX_YEAR}.")


def aware_datetime(**kwargs):
    """An ISO 8601 input time; one without an offset is taken as UTC."""
    return fields.AwareDateTime(default_timezone=UTC, validate=_in_range, **kwargs)


def calendar_date(**kwargs):
    """A YYYY-MM-DD day."""
    return fields.Date(validate=_in_range, **kwargs)


@functools.cache
def _known_time_zones():
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def time_zone_field(**kwargs):
    """An IANA time zone name such as Europe/Berlin."""

    def valid(name):
        if name not in _known_time_zones():
            raise ValidationError("Not a known time zone (use an IANA name such as Europe/Berlin).")

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
