"""The student's settings: name and time zone, notification preferences per type and channel
(the crisis types locked on), the email digest, and signing out everywhere."""

from flask import g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from app.schemas.users import MeUpdateSchema
from app.services.identity import users, web_sessions
from app.services.notifications import preferences
from app.services.shared.errors import Invalid
from app.web.session import require_role
from app.web.student import blp

LABELS = {"in_app": "In the app", "email": "Email"}


def _render(saved=None, status=200):
    prefs = preferences.get(g.person)
    return (
        render_template(
            "web/student/settings.html",
            prefs=prefs,
            locked=preferences.MANDATORY_TYPES,
            channels=preferences.CHANNELS,
            labels=LABELS,
            digests=preferences.DIGESTS,
            saved=saved,
        ),
        status,
    )


@blp.get("/settings")
@require_role("student")
def settings():
    """The student's settings."""
    return _render()


@blp.post("/settings/profile")
@require_role("student")
def save_profile():
    """Change the student's name and time zone."""
    try:
        body = MeUpdateSchema().load({k: request.form.get(k, "").strip() for k in ("name", "timezone")})
    except ValidationError as err:
        raise Invalid(details=err.messages) from None
    users.update_profile(users.get_user(g.person.id), **body)
    return redirect(url_for("web.student.settings", saved="profile"))


@blp.post("/settings/notifications")
@require_role("student")
def save_notifications():
    """Save notification preferences. The locked (crisis) types are never sent from the page:
    their boxes are disabled, and the service refuses turning them off anyway."""
    chosen = set(request.form.getlist("on"))
    types = {
        name: {channel: f"{name}.{channel}" in chosen for channel in preferences.CHANNELS}
        for name in preferences.KNOWN_TYPES
        if name not in preferences.MANDATORY_TYPES
    }
    digest = request.form.get("email_digest", "off")
    if digest not in preferences.DIGESTS:
        raise Invalid(details={"email_digest": [f"One of {', '.join(preferences.DIGESTS)}."]})
    preferences.update(g.person, types, digest)
    return redirect(url_for("web.student.settings", saved="notifications"))


@blp.post("/settings/sign-out-everywhere")
@require_role("student")
def sign_out_everywhere():
    """End every session and token of the student's account, this one included."""
    web_sessions.end_everywhere(g.person.id)
    session.pop(web_sessions.SESSION_KEY, None)
    return redirect(url_for("web.auth.login", reason="session_ended"))
