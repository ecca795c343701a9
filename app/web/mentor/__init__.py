"""The mentor's pages, under /mentor. Later parts of issue 26 add the console here."""

from flask import Blueprint, render_template

from app.web.session import require_role

blp = Blueprint("mentor", __name__, url_prefix="/mentor")


@blp.get("")
@require_role("mentor")
def home():
    """The mentor's home page."""
    return render_template("web/mentor/home.html")
