"""Admin: users, mentors, cohorts."""

from flask import Response, stream_with_context
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.schemas.alerts import FeedbackQuerySchema
from app.schemas.cohorts import (
    AdminCohortListSchema,
    AssignCohortSchema,
    CohortEnvelope,
    CohortSchema,
    CohortUpdateSchema,
    MemberResultSchema,
    MemberSchema,
)
from app.schemas.users import (
    AdminCreateUserSchema,
    AdminUserUpdateSchema,
    LegalNameSchema,
    SetMentorSchema,
    UserEnvelope,
    UserLegalNameEnvelope,
)
from app.services.academy import legal_names
from app.services.accounts import assignment, changes
from app.services.crisis import feedback as crisis_feedback
from app.services.identity import cohorts, users
from app.services.performance import teaching

blp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    description=(
        "Administration, for admins only. The first admin is made with the CLI: `flask users "
        "create --email E --password P --name N --role admin`."
    ),
)


@blp.post("/users")
@role_required("admin")
@blp.arguments(AdminCreateUserSchema)
@idempotent
@blp.response(201, UserEnvelope)
def create_user(body):
    """Create a user of any role.

    Body `email`, `password`, `name`, `role` (`student`, `mentor`, `educator` or `admin`) → 201
    `{"user"}`.
    """
    return {"user": users.create_user(**body)}


@blp.patch("/users/<int:user_id>")
@role_required("admin")
@blp.arguments(AdminUserUpdateSchema)
@blp.response(200, UserEnvelope)
def update_user(body, user_id):
    """Change a user's name, role, active flag or tier; it takes effect on HTTP, SSE and sockets at once.

    Body any of `name`, `role`, `is_active`, `tier` (`free`, `premium`) → 200 `{"user"}`.
    Deactivating ends the user's sockets and streams and refuses every token issued until then,
    also after a later reactivation. A role change refuses the tokens naming the old role (the
    user logs in again) and ends the sockets opened with them. 409 `mentor_has_students` for a
    mentor who still has students, `last_admin` for the last active admin.
    """
    return {"user": changes.update(user_id, body)}


@blp.put("/students/<int:student_id>/mentor")
@role_required("admin")
@blp.arguments(SetMentorSchema)
@blp.response(200, UserEnvelope)
def set_mentor(body, student_id):
    """Set the student's one mentor.

    Body `mentor_id`. The mentor hears `student:registered` `{"student":
    {"id","name","email","cohort_ids"}}`.
    """
    return {"user": assignment.assign_mentor(student_id, body["mentor_id"], actor=current_user)}


@blp.post("/cohorts")
@role_required("admin")
@blp.arguments(CohortSchema)
@idempotent
@blp.response(201, CohortEnvelope)
def create_cohort(body):
    """Create a cohort; `is_open` lets students join by themselves, `join_code` lets those who have it.

    Body `name`, optional `is_open`, `join_code` → 201 `{"cohort": {"id","name", ...}}`.
    """
    return {"cohort": cohorts.create_cohort(body["name"], body.get("is_open", False), body.get("join_code"))}


@blp.patch("/cohorts/<int:cohort_id>")
@role_required("admin")
@blp.arguments(CohortUpdateSchema)
@blp.response(200, CohortEnvelope)
def update_cohort(body, cohort_id):
    """Rename a cohort, open or close it, set or clear its join code."""
    return {"cohort": cohorts.update_cohort(cohort_id, body)}


@blp.post("/cohorts/<int:cohort_id>/members")
@role_required("admin")
@blp.arguments(MemberSchema)
@idempotent
@blp.response(201, MemberResultSchema)
def add_member(body, cohort_id):
    """Add a student to a cohort; their open sockets join its room at once.

    Body `student_id` → 201.
    """
    return cohorts.add_member(cohort_id, body["student_id"], actor=current_user)


@blp.delete("/cohorts/<int:cohort_id>/members/<int:student_id>")
@role_required("admin")
@blp.response(204)
def remove_member(cohort_id, student_id):
    """Take a student out of a cohort; their open sockets leave its room at once."""
    cohorts.remove_member(cohort_id, student_id, actor=current_user)


@blp.get("/educators/<int:educator_id>/cohorts")
@role_required("admin")
@blp.response(200, AdminCohortListSchema)
def educator_cohorts(educator_id):
    """The cohorts assigned to an educator: they build sections from these and enrol only their students."""
    return {"items": teaching.assigned_cohorts(educator_id)}


@blp.post("/educators/<int:educator_id>/cohorts")
@role_required("admin")
@blp.arguments(AssignCohortSchema)
@idempotent
@blp.response(201, CohortEnvelope)
def assign_educator_cohort(body, educator_id):
    """Assign a cohort to an educator (assigning it again changes nothing).

    Body `cohort_id` → 201 `{"cohort"}`; 404 for no such educator, 422 for no such cohort.
    """
    return {"cohort": teaching.assign(educator_id, body["cohort_id"])}


@blp.delete("/educators/<int:educator_id>/cohorts/<int:cohort_id>")
@role_required("admin")
@blp.response(204)
def unassign_educator_cohort(educator_id, cohort_id):
    """Take a cohort away from an educator; enrolments already made from it stay."""
    teaching.unassign(educator_id, cohort_id)


@blp.get("/crisis/feedback")
@role_required("admin")
@blp.arguments(FeedbackQuerySchema, location="query")
@blp.doc(responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def crisis_feedback_export(query):
    """Every resolved crisis alert, then every reviewed concern, as CSV, for retraining the chatbot.

    Columns: alert_id, student_id, label, confidence, source (label, text or both), categories,
    severity, outcome, text_only_false_alarm, created_at, acknowledged_at, resolved_at, kind (alert
    or concern), concern_id, crisis (the training label: a dismissed concern is false, a raised one
    true; an alert by its outcome). Concern rows have outcome dismissed or raised. The matched
    words and the student's message are added only with `include_text=true`, and that request is
    recorded in the audit log. Cells that a spreadsheet would run as a formula are escaped.
    """
    return Response(
        stream_with_context(crisis_feedback.export_csv(current_user, query["include_text"])),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=crisis-feedback.csv"},
    )


@blp.put("/users/<int:user_id>/legal-name")
@role_required("admin")
@blp.arguments(LegalNameSchema)
@blp.response(200, UserLegalNameEnvelope)
def set_legal_name(body, user_id):
    """Set or correct the legal name certificates print (the user cannot change it themselves).

    Body `{"legal_name"}` → 200 `{"user"}` with `legal_name`. Certificates already issued keep
    the name they were issued with.
    """
    return {"user": legal_names.set_by_admin(user_id, body["legal_name"])}
