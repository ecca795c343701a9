"""The educator's pages, under /educator: the overview (home) with its live figures, exports,
and the sections (roster, drill-down, grades upload)."""

from flask import Blueprint

blp = Blueprint("educator", __name__, url_prefix="/educator")

# the route modules register on blp
from app.web.educator import exports, overview, sections, work  # noqa: E402,F401
