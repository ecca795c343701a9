"""Courses, modules, lessons and announcements."""

from flask_jwt_extended import current_user, jwt_required

from app.api.academy import blp
from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.schemas.academy import (
    AnnouncementResultSchema,
    AnnouncementSchema,
    CourseCreateSchema,
    CourseEnvelope,
    CoursePageSchema,
    CourseQuerySchema,
    CourseUpdateSchema,
    LessonCreateSchema,
    LessonEnvelope,
    LessonUpdateSchema,
    ModuleCreateSchema,
    ModuleEnvelope,
    ModuleUpdateSchema,
)
from app.services.academy import catalog

EDITORS = ("educator", "admin")


@blp.get("/courses")
@jwt_required()
@blp.arguments(CourseQuerySchema, location="query")
@blp.response(200, CoursePageSchema)
def list_courses(query):
    """Published courses, newest first, a page at a time (?limit=, ?before_id=), each with a short summary."""
    return catalog.list_published(query.get("before_id"), query["limit"])


@blp.post("/courses")
@role_required(*EDITORS)
@blp.arguments(CourseCreateSchema)
@idempotent
@blp.response(201, CourseEnvelope)
def create_course(body):
    """Create a course (an educator owns it; an admin may name the educator with owner_id)."""
    return {"course": catalog.create_course(current_user, **body)}


@blp.get("/courses/<int:course_id>")
@jwt_required()
@blp.response(200, CourseEnvelope)
def get_course(course_id):
    """One course with its modules and lessons in order (unpublished ones only for its editors)."""
    return {"course": catalog.course_detail(current_user, course_id)}


@blp.patch("/courses/<int:course_id>")
@role_required(*EDITORS)
@blp.arguments(CourseUpdateSchema)
@blp.response(200, CourseEnvelope)
def update_course(body, course_id):
    """Change a course's title, description, price or published flag (its educator or an admin)."""
    return {"course": catalog.update_course(current_user, course_id, body)}


@blp.post("/courses/<int:course_id>/modules")
@role_required(*EDITORS)
@blp.arguments(ModuleCreateSchema)
@idempotent
@blp.response(201, ModuleEnvelope)
def create_module(body, course_id):
    """Add a module (placed last unless a position is given)."""
    return {"module": catalog.create_module(current_user, course_id, **body)}


@blp.patch("/courses/<int:course_id>/modules/<int:module_id>")
@role_required(*EDITORS)
@blp.arguments(ModuleUpdateSchema)
@blp.response(200, ModuleEnvelope)
def update_module(body, course_id, module_id):
    """Rename or move a module."""
    return {"module": catalog.update_module(current_user, course_id, module_id, body)}


@blp.post("/courses/<int:course_id>/lessons")
@role_required(*EDITORS)
@blp.arguments(LessonCreateSchema)
@idempotent
@blp.response(201, LessonEnvelope)
def create_lesson(body, course_id):
    """Add a lesson to a module; a published one reaches enrolled students as course:updated."""
    return {"lesson": catalog.create_lesson(current_user, course_id, **body)}


@blp.patch("/courses/<int:course_id>/lessons/<int:lesson_id>")
@role_required(*EDITORS)
@blp.arguments(LessonUpdateSchema)
@blp.response(200, LessonEnvelope)
def update_lesson(body, course_id, lesson_id):
    """Edit, move, publish or unpublish a lesson (course:updated when students can see it)."""
    return {"lesson": catalog.update_lesson(current_user, course_id, lesson_id, body)}


@blp.post("/courses/<int:course_id>/announcements")
@role_required(*EDITORS)
@blp.arguments(AnnouncementSchema)
@idempotent
@blp.response(201, AnnouncementResultSchema)
def announce(body, course_id):
    """Announce something to every student with an active enrolment (course:updated, live)."""
    return {"announcement": catalog.announce(current_user, course_id, **body)}
