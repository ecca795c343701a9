"""The admin's pages, under /admin. Later parts of issue 26 add the console here."""

from flask import Blueprint, render_template

from app.web.session import require_role

blp = Blueprint("admin", __name__, url_prefix="/admin")


@blp.get("")
@require_role("admin")
def home():
    """The admin's home page."""
    return render_template("web/admin/home.html")
