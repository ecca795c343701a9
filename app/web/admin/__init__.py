"""The admin's pages, under /admin: the home (with the operations links) and payments."""

from flask import Blueprint, render_template

from app.web.session import require_role

blp = Blueprint("admin", __name__, url_prefix="/admin")


@blp.get("")
@require_role("admin")
def home():
    """The admin's home page: where each part of the console is."""
    return render_template("web/admin/home.html", active="home")


from app.web.admin import cohorts, crisis, payments, users  # noqa: E402,F401  (routes register on blp)
