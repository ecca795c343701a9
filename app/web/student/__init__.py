"""The student's pages, under /student. Later parts of issue 26 add the console here."""

from flask import Blueprint, render_template

from app.web.session import require_role

blp = Blueprint("student", __name__, url_prefix="/student")


@blp.get("")
@require_role("student")
def home():
    """The student's home page."""
    return render_template("web/student/home.html")
