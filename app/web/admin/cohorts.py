"""Cohorts: create, open or close, set or clear the join code, add and remove members
(identity.cohorts, as the admin API; membership moves the student's sockets at once)."""

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.schemas.cohorts import CohortSchema, CohortUpdateSchema
from app.services.identity import cohorts
from app.services.shared.errors import Invalid
from app.web.admin import blp
from app.web.session import require_role


def _load(schema, data):
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid(details=error.messages) from None


@blp.get("/cohorts")
@require_role("admin")
def cohorts_page():
    """Every cohort with its state, join code and members."""
    return render_template("web/admin/cohorts.html", cohorts=cohorts.list_for(g.person), active="cohorts")


@blp.post("/cohorts")
@require_role("admin")
def create_cohort():
    """A new cohort (name, open, join code)."""
    data = {"name": request.form.get("name", ""), "open": request.form.get("open") == "on"}
    if request.form.get("join_code", "").strip():
        data["join_code"] = request.form["join_code"].strip()
    body = _load(CohortSchema(), data)
    cohorts.create_cohort(body["name"], body.get("is_open", False), body.get("join_code"))
    return redirect(url_for("web.admin.cohorts_page"))


@blp.post("/cohorts/<int:cohort_id>")
@require_role("admin")
def update_cohort(cohort_id):
    """Open or close the cohort and set (or, empty, clear) its join code."""
    code = request.form.get("join_code", "").strip()
    body = _load(CohortUpdateSchema(), {"open": request.form.get("open") == "on", "join_code": code or None})
    cohorts.update_cohort(cohort_id, body)
    return redirect(url_for("web.admin.cohorts_page"))


@blp.post("/cohorts/<int:cohort_id>/members")
@require_role("admin")
def cohort_members(cohort_id):
    """Add (student_id) or remove (remove=<student id>) a member."""
    remove = request.form.get("remove", "")
    if remove.isdigit():
        cohorts.remove_member(cohort_id, int(remove), actor=g.person)
    elif request.form.get("student_id", "").strip().isdigit():
        cohorts.add_member(cohort_id, int(request.form["student_id"]), actor=g.person)
    else:
        raise Invalid(details={"student_id": ["A student's id."]})
    return redirect(url_for("web.admin.cohorts_page"))
