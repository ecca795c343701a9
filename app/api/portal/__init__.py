"""Mentoring portal: entries, tasks, schedules, activity feed, audit log (one blueprint, split by entity)."""

from flask_smorest import Blueprint

blp = Blueprint("portal", __name__, url_prefix="", description="Mentoring portal")

from app.api.portal import entries, feed, schedules, tasks  # noqa: E402,F401  (routes register on blp)
