"""The Redis copy of a student's aggregate: written after every refresh, read first.
Reading (with the database row and a cold-start compute behind it) is reader.py, above refresh.py."""

from app.services import cache


def put(student_id, data):
    cache.set_json(cache.dashboard_key(student_id), data, cache.dashboard_ttl())
