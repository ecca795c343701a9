"""The educator's pages, under /educator: the overview (home) with its live figures, exports,
the sections (roster, drill-down, grades upload) and the courses they own (modules, lessons,
announcements, enrolments and progress)."""

from flask import Blueprint

blp = Blueprint("educator", __name__, url_prefix="/educator")

# the route modules register on blp
from app.web.educator import courses, exports, overview, sections, work  # noqa: E402,F401
