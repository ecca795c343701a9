"""The educator's pages, under /educator. Later parts of issue 26 add the console here."""

from flask import Blueprint, render_template

from app.web.session import require_role

blp = Blueprint("educator", __name__, url_prefix="/educator")


@blp.get("")
@require_role("educator")
def home():
    """The educator's home page."""
    return render_template("web/educator/home.html")
