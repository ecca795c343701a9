"""Cohorts as students see them: which they may join, and joining."""

from flask import current_app
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.extensions import limiter
from app.schemas.cohorts import CohortListQuerySchema, CohortListSchema, JoinSchema, PublicCohortEnvelope
from app.services.identity import cohorts

blp = Blueprint("cohorts", __name__, url_prefix="/cohorts", description="Cohorts")


@blp.get("")
@jwt_required()
@blp.arguments(CohortListQuerySchema, location="query")
@blp.response(200, CohortListSchema)
def list_cohorts(query):
    """?joinable=true: the cohorts the caller (a student) may join; otherwise the caller's own (admins: all)."""
    return {"items": cohorts.list_for(current_user, query["joinable"])}


def _per_user():
    return f"user:{current_user.id}"


@blp.post("/<int:cohort_id>/join")
@role_required("student")
# Join codes must not be guessable by trying: few attempts per student.
@limiter.limit(lambda: current_app.config["COHORT_JOIN_RATE_LIMIT"], key_func=_per_user)
@blp.arguments(JoinSchema, required=False)
@idempotent
@blp.response(201, PublicCohortEnvelope)
def join(body, cohort_id):
    """Join an open cohort, or one with a join code (send `code`); 409 when already a member."""
    return {"cohort": cohorts.join(current_user, cohort_id, (body or {}).get("code"))}
