"""A person's settings, for every role: name and time zone, notification preferences per type
and channel (the crisis types locked on), the email digest, and signing out everywhere.

Students see them inside their own pages (/student/settings); everyone else at /settings,
under their role's navigation. The forms post here either way."""

from flask import g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from app.schemas.users import MeUpdateSchema
from app.services.identity import users, web_sessions
from app.services.notifications import preferences
from app.services.shared.errors import Invalid
from app.web.account import blp
from app.web.session import require_role

LABELS = {"in_app": "In the app", "email": "Email"}


def _frame():
    """What the role's frame shows on every page (a mentor's crisis banner and bell)."""
    if g.person.role.value == "mentor":
        from app.web.mentor import views

        return views.console_context(g.person)
    return {}


def render(template, status=200):
    """The settings page in `template` (the role's frame around the shared forms)."""
    return (
        render_template(
            template,
            **_frame(),
            prefs=preferences.get(g.person),
            locked=preferences.MANDATORY_TYPES,
            channels=preferences.CHANNELS,
            labels=LABELS,
            digests=preferences.DIGESTS,
        ),
        status,
    )


def _is_student():
    return g.person.role.value == "student"


def _back(saved):
    endpoint = "web.student.settings" if _is_student() else "web.account.settings"
    return redirect(url_for(endpoint, saved=saved))


@blp.get("/settings")
@require_role()
def settings():
    """The signed-in person's settings (also the emails' "choose which emails you get" link)."""
    if _is_student():
        return redirect(url_for("web.student.settings", **request.args))
    return render(f"web/{g.person.role.value}/settings.html")


@blp.post("/settings/profile")
@require_role()
def save_profile():
    """Change the person's name and time zone."""
    try:
        body = MeUpdateSchema().load({k: request.form.get(k, "").strip() for k in ("name", "timezone")})
    except ValidationError as err:
        raise Invalid(details=err.messages) from None
    users.update_profile(users.get_user(g.person.id), **body)
    return _back("profile")


@blp.post("/settings/notifications")
@require_role()
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
    return _back("notifications")


@blp.post("/settings/sign-out-everywhere")
@require_role()
def sign_out_everywhere():
    """End every session and token of the person's account, this one included."""
    web_sessions.end_everywhere(g.person.id)
    session.pop(web_sessions.SESSION_KEY, None)
    return redirect(url_for("web.auth.login", reason="session_ended"))
