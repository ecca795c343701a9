"""The Redis copies of a student's aggregate: written after every refresh, read first.
Reading (with the database row and a cold-start compute behind it) is reader.py, above refresh.py.

Two copies, each the exact JSON a reader of that tier is sent: the whole aggregate (premium
and enhanced readers) and the free tier's masked one, so a cache hit is served as bytes,
never decoded and re-encoded. `last_updated` is always the last key, so the staleness check
can read it off the end of the bytes.
"""

import json
import re

from app.services.dashboard.aggregate import mask
from app.services.shared import cache

_LAST_UPDATED = re.compile(rb'"last_updated": "([^"]+)"\}$')


def encode(data):
    ordered = {key: value for key, value in data.items() if key != "last_updated"}
    ordered["last_updated"] = data.get("last_updated")
    return json.dumps(ordered, default=str)


def put(student_id, data):
    put_many({student_id: data})


def put_many(datas):
    """Both copies of every {student id: aggregate} in one round trip."""
    values = {}
    for student_id, data in datas.items():
        values[cache.dashboard_key(student_id)] = encode(data)
        values[cache.dashboard_tier_key(student_id, "free")] = encode(mask(data, "free"))
    if values:
        cache.set_many_raw(values, cache.dashboard_ttl())


def raw_keys(student_id):
    """What get_raw reads: the whole aggregate and the free tier's masked copy."""
    return [cache.dashboard_key(student_id), cache.dashboard_tier_key(student_id, "free")]


def get_raw(student_id, tier):
    """(the stored JSON bytes for a reader of `tier`, its last_updated string), or (None, None).
    The whole aggregate's key is read too: it is the entry (deleting it invalidates both)."""
    whole, free = cache.get_many_raw(*raw_keys(student_id))
    raw = free if tier == "free" and whole is not None else whole
    match = _LAST_UPDATED.search(raw[-64:]) if raw is not None else None
    if match is None:
        return None, None
    return raw, match.group(1).decode()
