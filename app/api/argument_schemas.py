"""One instance of each arguments schema, made once, not on every request.

Given a Schema class (as every `blp.arguments(...)` here is), webargs makes a new instance
of it for each request it parses: with marshmallow 4 that deep-copies every declared
field, about 60 µs, a tenth of a cached dashboard read. A schema instance keeps no state
between loads, so the shared parser keeps one per class.
"""

import types

from flask_smorest import Blueprint
from marshmallow import Schema

_instances = {}


def _get_schema(parser, argmap, req):
    if isinstance(argmap, type) and issubclass(argmap, Schema):
        if argmap not in _instances:
            _instances[argmap] = argmap()
        return _instances[argmap]
    return type(parser)._get_schema(parser, argmap, req)


def install():
    """On the one parser instance every flask-smorest blueprint uses (see ids.py)."""
    parser = Blueprint.ARGUMENTS_PARSER
    parser._get_schema = types.MethodType(_get_schema, parser)
