"""Academy shapes: courses, modules, lessons, enrolments, payments, progress, certificates."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.models.academy import PAYMENT_APPROVED, PAYMENT_PENDING, PAYMENT_REJECTED, SUMMARY_LENGTH
from app.schemas.common import PageQuerySchema, StrictSchema, UTCDateTimeField

MONEY_MAX = 1_000_000


def money(**kwargs):
    """An amount with two places. The spec gets plain numbers: apispec would otherwise render the
    bounds and default as Decimal strings ("0.00"), which is not a valid OpenAPI number."""
    metadata = {"minimum": 0, "maximum": MONEY_MAX}
    if "load_default" in kwargs:
        metadata["default"] = kwargs["load_default"]
    return fields.Decimal(
        places=2, allow_nan=False, validate=validate.Range(min=0, max=MONEY_MAX), metadata=metadata, **kwargs
    )


TITLE = validate.Length(min=1, max=200)
BODY = validate.Length(max=50_000)
POSITION = validate.Range(min=0, max=10_000)


class LessonSchema(Schema):
    id = fields.Integer()
    module_id = fields.Integer()
    course_id = fields.Integer()
    title = fields.String()
    body = fields.String()
    position = fields.Integer()
    published = fields.Boolean()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class ModuleSchema(Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    title = fields.String()
    position = fields.Integer()
    lessons = fields.List(fields.Nested(LessonSchema))


class CourseSchema(Schema):
    id = fields.Integer()
    owner_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    price = fields.Float()
    published = fields.Boolean()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class CourseDetailSchema(CourseSchema):
    """The course with its modules and lessons in order (students see published lessons only)."""

    modules = fields.List(fields.Nested(ModuleSchema))


class CourseEnvelope(Schema):
    course = fields.Nested(CourseDetailSchema)


def summary(text):
    """At most SUMMARY_LENGTH characters of a description, cut at a word with an ellipsis."""
    text = " ".join((text or "").split())  # one line
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] if " " in text[:SUMMARY_LENGTH] else text[:SUMMARY_LENGTH]
    return cut.rstrip(" ,.;:") + "\u2026"


def _summary_of(course):
    return summary(course.description_head)  # the description's start (Course.description_head)


class CourseListItemSchema(Schema):
    """A course in a list: a short `summary` instead of the whole description (GET /courses/<id> has it)."""

    id = fields.Integer()
    owner_id = fields.Integer()
    title = fields.String()
    summary = fields.Function(
        _summary_of, metadata={"type": "string", "description": f"At most {SUMMARY_LENGTH} characters."}
    )
    price = fields.Float()
    published = fields.Boolean()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class CourseQuerySchema(PageQuerySchema):
    """?limit= (1-200, default 20) and ?before_id= for the next page."""


class CoursePageSchema(Schema):
    items = fields.List(fields.Nested(CourseListItemSchema))
    next_before_id = fields.Integer(allow_none=True)


class CourseCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=TITLE)
    description = fields.String(load_default="", validate=BODY)
    price = money(load_default=0)
    published = fields.Boolean(load_default=False)
    owner_id = fields.Integer(strict=True, validate=validate.Range(min=1))  # admins only: the educator


class CourseUpdateSchema(StrictSchema):
    title = fields.String(validate=TITLE)
    description = fields.String(validate=BODY)
    price = money()
    published = fields.Boolean()


class ModuleCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=TITLE)
    position = fields.Integer(strict=True, validate=POSITION)


class ModuleUpdateSchema(StrictSchema):
    title = fields.String(validate=TITLE)
    position = fields.Integer(strict=True, validate=POSITION)


class ModuleSummarySchema(Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    title = fields.String()
    position = fields.Integer()


class ModuleEnvelope(Schema):
    module = fields.Nested(ModuleSummarySchema)


class LessonCreateSchema(StrictSchema):
    module_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, validate=TITLE)
    body = fields.String(load_default="", validate=BODY)
    position = fields.Integer(strict=True, validate=POSITION)
    published = fields.Boolean(load_default=False)


class LessonUpdateSchema(StrictSchema):
    title = fields.String(validate=TITLE)
    body = fields.String(validate=BODY)
    position = fields.Integer(strict=True, validate=POSITION)
    published = fields.Boolean()


class LessonEnvelope(Schema):
    lesson = fields.Nested(LessonSchema)


class AnnouncementSchema(StrictSchema):
    title = fields.String(required=True, validate=TITLE)
    body = fields.String(load_default="", validate=validate.Length(max=5000))


class AnnouncementResultSchema(Schema):
    announcement = fields.Dict()


class EnrolmentSchema(Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    student_id = fields.Integer()
    status = fields.String()
    created_at = UTCDateTimeField()
    activated_at = UTCDateTimeField(allow_none=True)
    ended_at = UTCDateTimeField(allow_none=True)


class EnrolmentEnvelope(Schema):
    enrolment = fields.Nested(EnrolmentSchema)


class PaymentReportSchema(StrictSchema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=120))
    amount = money(required=True)


class PaymentDecisionSchema(StrictSchema):
    note = fields.String(validate=validate.Length(max=2000))


class PaymentSchema(Schema):
    id = fields.Integer()
    enrolment_id = fields.Integer()
    provider = fields.String()
    reference = fields.String()
    amount = fields.Float()
    status = fields.String()
    note = fields.String(allow_none=True)
    created_at = UTCDateTimeField()
    decided_at = UTCDateTimeField(allow_none=True)


class PaymentEnvelope(Schema):
    payment = fields.Nested(PaymentSchema)


class PaymentQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(
        load_default=PAYMENT_PENDING, validate=validate.OneOf([PAYMENT_PENDING, PAYMENT_APPROVED, PAYMENT_REJECTED])
    )


class PaymentPageSchema(Schema):
    items = fields.List(fields.Nested(PaymentSchema))


class ProgressSchema(Schema):
    course_id = fields.Integer()
    completed = fields.Integer()
    total = fields.Integer()
    percent = fields.Integer()


class ProgressEnvelope(Schema):
    progress = fields.Nested(ProgressSchema)


class CertificateSummarySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    issued_at = UTCDateTimeField()


class StudentCourseSchema(Schema):
    course = fields.Nested(CourseSchema)
    enrolment = fields.Nested(EnrolmentSchema)
    progress = fields.Nested(ProgressSchema)
    certificate = fields.Nested(CertificateSummarySchema, allow_none=True)


class StudentCoursesSchema(Schema):
    items = fields.List(fields.Nested(StudentCourseSchema))


class CourseEnrolSchema(StrictSchema):
    # Taken at the first enrolment only (then fixed; admins correct it): certificates print it.
    legal_name = fields.String(validate=validate.Length(min=1, max=120))


class CertificateVerifySchema(Schema):
    """What anyone may learn from a verification code: nothing more."""

    name = fields.String(attribute="student_name")
    course = fields.String(attribute="course_title")
    issued_at = UTCDateTimeField()


class CertificateVerifyEnvelope(Schema):
    certificate = fields.Nested(CertificateVerifySchema)


class CourseSummarySchema(Schema):
    course_id = fields.Integer()
    enrolled = fields.Integer()
    active_this_week = fields.Integer()
    average_progress = fields.Float()
    completions = fields.Integer()
