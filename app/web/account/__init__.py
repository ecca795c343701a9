"""Pages every signed-in person has, whatever their role: their settings (/settings)."""

from flask import Blueprint

blp = Blueprint("account", __name__)

from app.web.account import settings  # noqa: E402,F401  (routes register on blp)
