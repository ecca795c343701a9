"""The student's pages, under /student: the dashboard, entries, courses, certificates and
settings. Each module adds its routes to `blp`; every route is @require_role("student")."""

from flask import Blueprint

blp = Blueprint("student", __name__, url_prefix="/student")

from app.web.student import courses, dashboard, entries, settings  # noqa: E402,F401  (routes register on blp)
