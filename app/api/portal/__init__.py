"""Mentoring portal: entries, tasks, schedules, activity feed, audit log (one blueprint, split by entity)."""

from flask_smorest import Blueprint

blp = Blueprint(
    "portal",
    __name__,
    url_prefix="",
    description=(
        "Mentoring portal: entries and comments, tasks, sessions and attendance, the activity "
        "feed and the audit log. A mentor sees and acts only on their own students' work, a "
        "student only their own (and their cohorts' group sessions), an admin everything; "
        "anything else answers 404. Lists page newest first with `?limit=` (default 20, max 200) "
        "and `?before_id=` (the answer's `next_before_id`); `?studentId=` is accepted wherever "
        "`?student_id=` is. The rules: docs/portal.md."
    ),
)

from app.api.portal import entries, feed, schedules, tasks  # noqa: E402,F401  (routes register on blp)
