"""Pages anyone may open without signing in: the public certificate check."""

from flask import Blueprint, render_template

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
