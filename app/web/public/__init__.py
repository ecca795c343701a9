"""Pages anyone may open without signing in: the public certificate check (its link goes out in
emails and on certificates) and the icon."""

from flask import Blueprint, redirect, render_template, url_for

from app.services.academy import certificates
from app.services.shared.errors import NotFound

blp = Blueprint("public", __name__)


@blp.get("/verify/<string:code>")
def verify(code):
    """Public: whether a certificate code is genuine, for whom and for which course (no sign-in)."""
    try:
        certificate = certificates.verify(code[:64])
    except NotFound:
        return render_template("web/public/verify.html", certificate=None, code=code[:64]), 404
    return render_template("web/public/verify.html", certificate=certificate, code=certificate.code)


@blp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages without an icon link (the API docs, a JSON body):
    the app's icon, not a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
