"""Text that can always be stored: what a database or a JSON encoder would refuse is replaced.

A lone UTF-16 surrogate (a broken emoji from a client's string slicing) cannot be encoded
as UTF-8, and PostgreSQL refuses NUL bytes; either would fail the whole write, and for a
crisis message that means a lost alert. Other control characters are dropped, except tab,
newline and carriage return. Direction marks and emoji are kept: they are valid text.
"""

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """The string with lone surrogates as U+FFFD and control characters removed."""
    if not isinstance(value, str):
        return value
    value = _SURROGATE.sub("\ufffd", value)
    return _CONTROL.sub("", value)


def clean_tree(data):
    """clean_text applied to every string in a JSON body (keys too)."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {clean_text(k): clean_tree(v) for k, v in data.items()}
    if isinstance(data, list):
        return [clean_tree(v) for v in data]
    return data
