"""The mentor's console, under /mentor: the crisis banner on every page, the inbox bell,
the students and their insights, the alert pages (docs/web.md, "The mentor's console")."""

from flask import Blueprint, g

blp = Blueprint("mentor", __name__, url_prefix="/mentor")


@blp.context_processor
def console():
    """What every mentor page shows from its first paint: open alerts (the banner) and the
    unread count (the bell). Read here, from the services, so no page can forget them."""
    from app.web.mentor import views

    person = g.get("person")
    if person is None or person.role.value != "mentor":
        return {}
    return views.console_context(person)


from app.web.mentor import (  # noqa: E402,F401  (their routes join blp)
    activity,
    crisis,
    entries,
    inbox,
    missed,
    schedules,
    students,
    tasks,
)
