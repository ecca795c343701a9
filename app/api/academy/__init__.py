"""Academy: courses, enrolment and payments, progress, certificates (one blueprint, split by entity)."""

from flask_smorest import Blueprint

blp = Blueprint("academy", __name__, url_prefix="", description="Academy")

from app.api.academy import certificates, courses, enrolments  # noqa: E402,F401  (routes register on blp)
