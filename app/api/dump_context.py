"""Dump a view's answer under schema rules made from the request (who asks, in which time zone).

flask-smorest's `@blp.response` dumps after the view returns, so the rules must be in force
around it: put `@dump_context(...)` above `@blp.response` (and below `@blp.arguments`, whose
parsed arguments it then receives like the view).
"""

from functools import partial, wraps

from flask_jwt_extended import current_user
from marshmallow.experimental.context import Context

from app.services.identity import access


def dump_context(build):
    """Run the view and its dump inside a schema Context that `build(*args, **kwargs)` makes."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            with Context(build(*args, **kwargs)):
                return fn(*args, **kwargs)

        return wrapper

    return decorator


def caller_rules(*_args, **_kwargs):
    """The caller's view: attendance rows only of students they may see."""
    return {"sees_student": partial(access.can_see_student_id, current_user)}


as_caller_sees = dump_context(caller_rules)
