"""The educator's pages, under /educator: the overview (home) with its live figures."""

from flask import Blueprint

blp = Blueprint("educator", __name__, url_prefix="/educator")

from app.web.educator import overview  # noqa: E402,F401  (routes register on blp)
