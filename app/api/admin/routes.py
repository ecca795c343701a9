"""Admin: users, mentors, cohorts."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.api.auth_helpers import role_required
from app.schemas.cohorts import CohortEnvelope, CohortSchema, MemberResultSchema, MemberSchema
from app.schemas.users import AdminCreateUserSchema, AdminUserUpdateSchema, SetMentorSchema, UserEnvelope
from app.services import cohorts, users

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
    """Activate or deactivate a user; a deactivated user's tokens stop working at once.

    `{"is_active": false}` deactivates (their sockets are refused at connect too); `true` activates
    again.
    """
    return {"user": users.set_active(user_id, body["is_active"])}


@blp.put("/students/<int:student_id>/mentor")
@role_required("admin")
@blp.arguments(SetMentorSchema)
@blp.response(200, UserEnvelope)
def set_mentor(body, student_id):
    """Set the student's one mentor.

    Body `mentor_id`. The mentor hears `student:registered` `{"student":
    {"id","name","email","cohort_ids"}}`.
    """
    return {"user": users.assign_mentor(student_id, body["mentor_id"], actor=current_user)}


@blp.post("/cohorts")
@role_required("admin")
@blp.arguments(CohortSchema)
@blp.response(201, CohortEnvelope)
def create_cohort(body):
    """Create a cohort.

    Body `name` → 201 `{"cohort": {"id","name"}}`.
    """
    return {"cohort": cohorts.create_cohort(body["name"])}


@blp.post("/cohorts/<int:cohort_id>/members")
@role_required("admin")
@blp.arguments(MemberSchema)
@blp.response(201, MemberResultSchema)
def add_member(body, cohort_id):
    """Add a student to a cohort.

    Body `student_id` → 201.
    """
    return cohorts.add_member(cohort_id, body["student_id"])
