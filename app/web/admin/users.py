"""Users: search, filter by role, page through; create, deactivate and reactivate, change
role (accounts.changes.update, as PATCH /admin/users) and assign a student's mentor
(accounts.assignment, as PUT /admin/students/<id>/mentor). Each action returns to the list
as it was (its query string)."""

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.models import Role
from app.schemas.users import AdminCreateUserSchema
from app.services.accounts import assignment, changes, directory
from app.services.identity import users
from app.services.shared.errors import Invalid
from app.web.admin import blp
from app.web.session import require_role, safe_next

ROLES = [r.value for r in Role]


def _back():
    return redirect(safe_next(request.form.get("next")) or url_for("web.admin.users_page"))


@blp.get("/users")
@require_role("admin")
def users_page():
    """Users, newest first: ?q= (name or email), ?role=, ?page=."""
    q = (request.args.get("q") or "").strip()[:120]
    role = request.args.get("role") if request.args.get("role") in ROLES else ""
    page = request.args.get("page", "1")
    found = directory.search(q or None, role or None, int(page) if page.isdigit() else 1)
    return render_template(
        "web/admin/users.html", found=found, q=q, role=role, roles=ROLES, mentors=directory.mentors(), active="users"
    )


@blp.post("/users")
@require_role("admin")
def create_user():
    """Create a user of any role (email, password, name, role)."""
    data = {k: request.form.get(k, "") for k in ("email", "password", "name", "role")}
    try:
        body = AdminCreateUserSchema().load(data)
    except ValidationError as error:
        raise Invalid(details=error.messages) from None
    users.create_user(**body)
    return _back()


@blp.post("/users/<int:user_id>")
@require_role("admin")
def change_user(user_id):
    """Deactivate, reactivate or change the role of a user (action=deactivate|reactivate|role)."""
    action = request.form.get("action")
    if action in ("deactivate", "reactivate"):
        changes.update(user_id, {"is_active": action == "reactivate"})
    elif action == "role" and request.form.get("role") in ROLES:
        changes.update(user_id, {"role": request.form["role"]})
    else:
        raise Invalid(details={"action": ["One of deactivate, reactivate, role (with a role)."]})
    return _back()


@blp.post("/students/<int:student_id>/mentor")
@require_role("admin")
def assign_mentor(student_id):
    """Set the student's one mentor."""
    mentor = request.form.get("mentor_id", "")
    if not mentor.isdigit():
        raise Invalid(details={"mentor_id": ["Choose a mentor."]})
    assignment.assign_mentor(student_id, int(mentor), actor=g.person)
    return _back()
