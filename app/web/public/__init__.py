"""Pages whose links go out in emails: the public certificate check (no sign-in) and /settings,
which sends each signed-in person to their own settings."""

from flask import Blueprint, g, redirect, render_template, url_for

from app.services.academy import certificates
from app.services.shared.errors import NotFound
from app.web.session import home_for, require_role

blp = Blueprint("public", __name__)


@blp.get("/verify/<string:code>")
def verify(code):
    """Public: whether a certificate code is genuine, for whom and for which course (no sign-in)."""
    try:
        certificate = certificates.verify(code[:64])
    except NotFound:
        return render_template("web/public/verify.html", certificate=None, code=code[:64]), 404
    return render_template("web/public/verify.html", certificate=certificate, code=certificate.code)


@blp.get("/settings")
@require_role()
def settings():
    """Emails' "choose which emails you get" link: the person's settings page (their home until
    their role has one)."""
    if g.person.role.value == "student":
        return redirect(url_for("web.student.settings"))
    return redirect(home_for(g.person))


@blp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages without an icon link (the API docs, a JSON body):
    the app's icon, not a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
