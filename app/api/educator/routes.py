"""Sections, enrolments, exams, grades and attendance: the educator's own (others' answer 404)."""

from app.api.auth_helpers import current_principal, role_required
from app.api.educator import blp
from app.api.educator.uploads import accepts_csv, upload_rows
from app.api.idempotent import idempotent
from app.schemas.performance import (
    AttendanceDayQuerySchema,
    AttendanceListSchema,
    EnrolSchema,
    ExamCreateSchema,
    ExamEnvelope,
    ExamListSchema,
    ExamQuerySchema,
    ExamUpdateSchema,
    GradeListSchema,
    SectionCreateSchema,
    SectionEnrolmentEnvelope,
    SectionEnvelope,
    SectionListSchema,
    SectionQuerySchema,
    SectionUpdateSchema,
)
from app.services.performance import access, attendance, exams, grades, sections

EDUCATOR = ("educator", "admin")


@blp.get("/educator/sections")
@role_required(*EDUCATOR)
@blp.arguments(SectionQuerySchema, location="query")
@blp.response(200, SectionListSchema)
def list_sections(query):
    """Your sections (an admin: every section); ?term= filters."""
    return {"items": sections.list_sections(current_principal(), **query)}


@blp.post("/educator/sections")
@role_required(*EDUCATOR)
@blp.arguments(SectionCreateSchema)
@idempotent
@blp.response(201, SectionEnvelope)
def create_section(body):
    """Create a section; with cohort_id its members are enrolled from now."""
    return {"section": sections.create(current_principal(), **body)}


@blp.get("/educator/sections/<int:section_id>")
@role_required(*EDUCATOR)
@blp.response(200, SectionEnvelope)
def get_section(section_id):
    """One of your sections, with its current students."""
    return {"section": access.visible_section(current_principal(), section_id)}


@blp.patch("/educator/sections/<int:section_id>")
@role_required(*EDUCATOR)
@blp.arguments(SectionUpdateSchema)
@blp.response(200, SectionEnvelope)
def update_section(body, section_id):
    """Rename a section, change its subjects or term."""
    return {"section": sections.update(current_principal(), section_id, body)}


@blp.post("/educator/sections/<int:section_id>/students")
@role_required(*EDUCATOR)
@blp.arguments(EnrolSchema)
@idempotent
@blp.response(201, SectionEnrolmentEnvelope)
def enrol(body, section_id):
    """Enrol a student from enrolled_at (default now); attendance before it never counts."""
    return {"enrolment": sections.enrol(current_principal(), section_id, **body)}


@blp.delete("/educator/sections/<int:section_id>/students/<int:student_id>")
@role_required(*EDUCATOR)
@blp.response(204)
def unenrol(section_id, student_id):
    """The student leaves the section now (sets left_at)."""
    sections.unenrol(current_principal(), section_id, student_id)


@blp.put("/educator/sections/<int:section_id>/attendance")
@role_required(*EDUCATOR)
@blp.arguments(AttendanceDayQuerySchema, location="query")
@blp.response(200, AttendanceListSchema)
@blp.doc(requestBody={"content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}})
def put_attendance(query, section_id):
    """The section's whole day: [{student_id, status, remarks}]; all saved, or none (422 lists every bad row)."""
    upload = upload_rows(attendance.FIELDS, "attendance")
    return {"attendance": attendance.put_day(current_principal(), section_id, query["date"], upload)}


@blp.get("/educator/sections/<int:section_id>/attendance")
@role_required(*EDUCATOR)
@blp.arguments(AttendanceDayQuerySchema, location="query")
@blp.response(200, AttendanceListSchema)
def get_attendance(query, section_id):
    """The section's attendance on ?date=."""
    return {"attendance": attendance.day_of(current_principal(), section_id, query["date"])}


@blp.get("/educator/exams")
@role_required(*EDUCATOR)
@blp.arguments(ExamQuerySchema, location="query")
@blp.response(200, ExamListSchema)
def list_exams(query):
    """Your exams by date; ?section_id=, ?subject=, ?published= filter."""
    return {"items": exams.list_exams(current_principal(), **query)}


@blp.post("/educator/exams")
@role_required(*EDUCATOR)
@blp.arguments(ExamCreateSchema)
@idempotent
@blp.response(201, ExamEnvelope)
def create_exam(body):
    """Create an exam in one of your sections; you hear exam:created."""
    return {"exam": exams.create(current_principal(), **body)}


@blp.get("/educator/exams/<int:exam_id>")
@role_required(*EDUCATOR)
@blp.response(200, ExamEnvelope)
def get_exam(exam_id):
    """One of your exams."""
    return {"exam": access.visible_exam(current_principal(), exam_id)}


@blp.patch("/educator/exams/<int:exam_id>")
@role_required(*EDUCATOR)
@blp.arguments(ExamUpdateSchema)
@blp.response(200, ExamEnvelope)
def update_exam(body, exam_id):
    """Change an exam (publishing it makes its grades count)."""
    return {"exam": exams.update(current_principal(), exam_id, body)}


@blp.delete("/educator/exams/<int:exam_id>")
@role_required(*EDUCATOR)
@blp.response(204)
def delete_exam(exam_id):
    """Delete an exam and its grades."""
    exams.delete(current_principal(), exam_id)


@blp.get("/educator/exams/<int:exam_id>/grades")
@role_required(*EDUCATOR)
@blp.response(200, GradeListSchema)
def list_grades(exam_id):
    """An exam's grades, each with its history of changes."""
    return {"grades": grades.grades_of(current_principal(), exam_id)}


@blp.put("/educator/exams/<int:exam_id>/grades")
@role_required(*EDUCATOR)
@blp.response(200, GradeListSchema)
@blp.doc(
    requestBody={
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string", "example": "student_id,score\n12,87.5\n"}},
        }
    }
)
@accepts_csv
def put_grades(exam_id):
    """Grades as a JSON list [{student_id, score}] or CSV student_id,score: all saved, or none (422 lists bad rows)."""
    upload = upload_rows(grades.COLUMNS, "grades", allow_csv=True)
    return {"grades": grades.put_grades(current_principal(), exam_id, upload)}
