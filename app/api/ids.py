"""Integers the database can hold: ids in paths beyond PostgreSQL's 32-bit integer are 404
(no such row can exist), integers beyond it in bodies and query strings are 422.

Both apply to every route and every flask-smorest schema, present and future: the `int`
URL converter is replaced app-wide, and the shared arguments parser checks every Integer
field before the schema loads it.
"""

import types

from flask_smorest import Blueprint
from marshmallow import ValidationError, fields
from werkzeug.routing import IntegerConverter

from app.services.shared.text import clean_tree

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL `integer`, the type of every id column
OUT_OF_RANGE = f"Must be between {INT_MIN} and {INT_MAX}."


def _digits_up_to(limit):
    """A regex for the decimal numbers 0..limit. The bound must be in the regex: a value
    refused later, in to_python, makes werkzeug answer 405 instead of 404 when another
    method's rule has the same path."""
    text = str(limit)
    parts = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            low = "0" if i else "1"
            if int(digit) - 1 >= int(low):
                rest = len(text) - i - 1
                parts.append(text[:i] + f"[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` limited to what an integer column holds; anything larger does not match (404)."""

    regex = _digits_up_to(INT_MAX)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def converter_schema(converter):
    """The path parameter as the OpenAPI spec shows it."""
    return {"type": "integer", "minimum": converter.min or 0, "maximum": converter.max or INT_MAX}


def install_converter(app):
    """Call before any route is added: rules bind their converter when they are created."""
    app.url_map.converters["int"] = DatabaseIntConverter


def _as_int(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text.lstrip("+-").isdigit() and len(text) < 5000:
            return int(text)
    return None


def _check_value(field, raw):
    """Error messages for `raw` against `field`, or None."""
    if isinstance(field, fields.Integer):
        value = _as_int(raw)
        if value is not None and not INT_MIN <= value <= INT_MAX:
            return [OUT_OF_RANGE]
    elif isinstance(field, fields.Nested) and isinstance(raw, dict):
        schema = field.schema
        errors = out_of_range_errors(schema, raw)
        return errors or None
    elif isinstance(field, fields.List) and isinstance(raw, list):
        errors = {}
        for index, item in enumerate(raw[:10000]):
            found = _check_value(field.inner, item)
            if found:
                errors[index] = found
        return errors or None
    return None


def out_of_range_errors(schema, data):
    """{field: messages} for every integer in `data` that no integer column can hold."""
    errors = {}
    if not hasattr(data, "get"):
        return errors
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        getlist = getattr(data, "getlist", None)
        raws = getlist(key) if getlist is not None and isinstance(field, fields.Integer) else [data.get(key)]
        for raw in raws:
            found = _check_value(field, raw)
            if found:
                errors[key] = found
                break
    return errors


def _bounded_pre_load(parser, location_data, *, schema, req, location):
    if location == "query" and not req.args:
        # Nothing sent: an empty dict loads the same defaults, while the query proxy answered
        # each absent field by raising and catching an HTTP exception (half of the parse of
        # a plain GET /student/dashboard).
        location_data = {}
    if location == "json":
        # Text no column can store (NUL, a lone surrogate) is cleaned, not refused: a crisis
        # message must never be lost to odd text (services/text.py).
        location_data = clean_tree(location_data)
    errors = out_of_range_errors(schema, location_data)
    if errors:
        raise ValidationError(errors)
    return type(parser).pre_load(parser, location_data, schema=schema, req=req, location=location)


def install_parser_bounds():
    """Every flask-smorest blueprint parses with this one parser instance (bound when a route
    is decorated), so the check (and the cleaning of JSON text) is added to the instance, not
    to a subclass."""
    parser = Blueprint.ARGUMENTS_PARSER
    parser.pre_load = types.MethodType(_bounded_pre_load, parser)
