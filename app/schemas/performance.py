"""Educator sections, exams, grades, attendance and the performance figures."""

from marshmallow import EXCLUDE, Schema, fields, validate

from app.schemas.common import StrictSchema, UTCDateTimeField, aware_datetime, calendar_date

ID = validate.Range(min=1)
NAME = validate.Length(min=1, max=120)
SUBJECT = validate.Length(min=1, max=80)


class QuerySchema(Schema):
    """Query strings: browsers add their own parameters, so unknown ones are ignored."""

    class Meta:
        unknown = EXCLUDE


# -- sections ---------------------------------------------------------------------------


class SectionCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=NAME)
    subjects = fields.List(fields.String(validate=SUBJECT), required=True, validate=validate.Length(min=1, max=30))
    term = fields.String(load_default="", validate=validate.Length(max=60))
    cohort_id = fields.Integer(validate=ID, allow_none=True)
    educator_id = fields.Integer(validate=ID, metadata={"description": "an admin names the educator"})


class SectionUpdateSchema(StrictSchema):
    name = fields.String(validate=NAME)
    subjects = fields.List(fields.String(validate=SUBJECT), validate=validate.Length(min=1, max=30))
    term = fields.String(validate=validate.Length(max=60))


class SectionQuerySchema(QuerySchema):
    term = fields.String(validate=validate.Length(max=60))


class EnrolSchema(StrictSchema):
    student_id = fields.Integer(required=True, validate=ID)
    enrolled_at = aware_datetime()


class SectionEnrolmentSchema(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    student_id = fields.Integer()
    name = fields.Function(lambda e: e.student.name if e.student else None)
    enrolled_at = UTCDateTimeField()
    left_at = UTCDateTimeField(allow_none=True)


class SectionSchema(Schema):
    id = fields.Integer()
    educator_id = fields.Integer()
    name = fields.String()
    subjects = fields.List(fields.String())
    term = fields.String()
    cohort_id = fields.Integer(allow_none=True)
    students = fields.Function(lambda s: [SectionEnrolmentSchema().dump(e) for e in s.enrolments if e.left_at is None])
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class SectionEnvelope(Schema):
    section = fields.Nested(SectionSchema)


class SectionListSchema(Schema):
    items = fields.List(fields.Nested(SectionSchema))


class SectionEnrolmentEnvelope(Schema):
    enrolment = fields.Nested(SectionEnrolmentSchema)


# -- exams ------------------------------------------------------------------------------

TOTAL = validate.Range(min=0, min_inclusive=False, max=100000)


class ExamCreateSchema(StrictSchema):
    section_id = fields.Integer(required=True, validate=ID)
    subject = fields.String(required=True, validate=SUBJECT)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    date = calendar_date(required=True)
    total_marks = fields.Float(required=True, validate=TOTAL, allow_nan=False)
    published = fields.Boolean(load_default=False)


class ExamUpdateSchema(StrictSchema):
    subject = fields.String(validate=SUBJECT)
    name = fields.String(validate=validate.Length(min=1, max=200))
    date = calendar_date()
    total_marks = fields.Float(validate=TOTAL, allow_nan=False)
    published = fields.Boolean()


class ExamQuerySchema(QuerySchema):
    section_id = fields.Integer(validate=ID)
    subject = fields.String(validate=SUBJECT)
    published = fields.Boolean()


class ExamSchema(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    subject = fields.String()
    name = fields.String()
    date = fields.Date()
    total_marks = fields.Float()
    published = fields.Boolean()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class ExamEnvelope(Schema):
    exam = fields.Nested(ExamSchema)


class ExamListSchema(Schema):
    items = fields.List(fields.Nested(ExamSchema))


# -- grades and attendance ---------------------------------------------------------------


class GradeChangeSchema(Schema):
    old_score = fields.Float(allow_none=True)
    new_score = fields.Float()
    changed_by = fields.Integer(allow_none=True)
    changed_at = UTCDateTimeField()


class GradeSchema(Schema):
    id = fields.Integer()
    exam_id = fields.Integer()
    student_id = fields.Integer()
    score = fields.Float()
    percentage = fields.Function(lambda g: round(g.score / g.exam.total_marks * 100, 2))
    graded_by = fields.Integer(allow_none=True)
    graded_at = UTCDateTimeField()
    history = fields.List(fields.Nested(GradeChangeSchema))


class GradeListSchema(Schema):
    grades = fields.List(fields.Nested(GradeSchema))


class AttendanceDayQuerySchema(QuerySchema):
    date = calendar_date(required=True)


class SectionAttendanceSchema(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    student_id = fields.Integer()
    date = fields.Date(attribute="day")
    status = fields.String()
    remarks = fields.String()
    marked_by = fields.Integer(allow_none=True)
    marked_at = UTCDateTimeField()


class AttendanceListSchema(Schema):
    attendance = fields.List(fields.Nested(SectionAttendanceSchema))


# -- figures ----------------------------------------------------------------------------


class PerformersQuerySchema(QuerySchema):
    n = fields.Integer(load_default=5, validate=validate.Range(min=1, max=100))


class SortQuerySchema(QuerySchema):
    sort = fields.String(
        validate=validate.OneOf(
            [
                p + k
                for k in (
                    "name",
                    "average",
                    "pass_rate",
                    "attendance_percentage",
                    "students",
                    "at_risk_count",
                    "subject",
                )
                for p in ("", "-")
            ]
        )
    )
    term = fields.String(validate=validate.Length(max=60))


class TrendsQuerySchema(QuerySchema):
    section_id = fields.Integer(validate=ID)
    weeks = fields.Integer(load_default=8, validate=validate.Range(min=1, max=52))


class PerformerSchema(Schema):
    place = fields.Integer()
    student_id = fields.Integer()
    name = fields.String()
    average = fields.Float(allow_none=True)


def _distribution():
    return fields.Dict(keys=fields.String(), values=fields.Integer())


class OverviewSchema(Schema):
    total_students = fields.Integer()
    overall_average = fields.Float(allow_none=True)
    pass_rate = fields.Float(allow_none=True)
    grade_distribution = _distribution()
    subject_averages = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    section_averages = fields.List(fields.Dict())
    attendance_percentage = fields.Float(allow_none=True)
    top_performers = fields.List(fields.Nested(PerformerSchema))
    low_performers = fields.List(fields.Nested(PerformerSchema))
    at_risk_count = fields.Integer()
    computed_at = fields.String()
    cached = fields.Boolean()


class FigureListSchema(Schema):
    items = fields.List(fields.Dict())
    cached = fields.Boolean()


class SectionFiguresSchema(Schema):
    section = fields.Dict()
    students = fields.List(fields.Dict())
    top_performers = fields.List(fields.Nested(PerformerSchema))
    low_performers = fields.List(fields.Nested(PerformerSchema))
    cached = fields.Boolean()


class StudentFiguresSchema(Schema):
    student = fields.Dict()
    average = fields.Float(allow_none=True)
    band = fields.String(allow_none=True)
    subjects = fields.Dict()
    exams = fields.List(fields.Dict())
    attendance = fields.Dict()
    trend = fields.Float(allow_none=True)
    at_risk_reasons = fields.List(fields.String())
    pass_mark = fields.Float()
    computed_at = UTCDateTimeField()


class TrendsSchema(Schema):
    section_id = fields.Integer(allow_none=True)
    weeks = fields.List(fields.Dict())


# -- exports ----------------------------------------------------------------------------


class ExportQuerySchema(QuerySchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "pdf"]))
    scope = fields.String(load_default="overview", validate=validate.Length(min=1, max=40))


class ExportSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    scope = fields.String()
    download_url = fields.String(allow_none=True)
    created_at = UTCDateTimeField()
    completed_at = UTCDateTimeField(allow_none=True)


class ExportEnvelope(Schema):
    export = fields.Nested(ExportSchema)


class DownloadQuerySchema(QuerySchema):
    token = fields.String(validate=validate.Length(min=1, max=500))
