"""Educator: sections, exams, grades, attendance (routes.py) and performance figures (performance.py)."""

from flask_smorest import Blueprint

blp = Blueprint("educator", __name__, url_prefix="", description="Educator sections and performance")

from app.api.educator import performance, routes  # noqa: E402,F401  (routes register on blp)
