"""Users as the API shows them, and the auth and admin request bodies."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models import Role
from app.schemas.common import StrictSchema, UTCDateTimeField, time_zone_field

ROLES = [r.value for r in Role]


class UserSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    email = fields.Email()
    name = fields.String()
    role = fields.Function(lambda u: u.role.value)
    is_active = fields.Boolean()
    tier = fields.String()
    mentor_id = fields.Integer(allow_none=True)
    cohort_ids = fields.List(fields.Integer())
    timezone = fields.String()
    created_at = UTCDateTimeField()


class UserEnvelope(StrictSchema):
    user = fields.Nested(UserSchema)


class RegisterSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=255))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=128))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=255))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class LoginResultSchema(StrictSchema):
    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(UserSchema)


class AccessTokenSchema(StrictSchema):
    access_token = fields.String()


class LogoutSchema(StrictSchema):
    refresh_token = fields.String(validate=validate.Length(max=4096))


class AdminCreateUserSchema(RegisterSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


TIERS = ["free", "premium"]


class AdminUserUpdateSchema(StrictSchema):
    """Any of name, role, active flag, tier: at least one."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = fields.Boolean()
    tier = fields.String(validate=validate.OneOf(TIERS))

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ValidationError("Send at least one of name, role, is_active, tier.", "_schema")


class SetMentorSchema(StrictSchema):
    mentor_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class LegalNameSchema(StrictSchema):
    legal_name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class UserLegalNameSchema(UserSchema):
    legal_name = fields.String(allow_none=True)


class UserLegalNameEnvelope(StrictSchema):
    user = fields.Nested(UserLegalNameSchema)


class MeUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    timezone = time_zone_field()  # IANA name; digests and "today" use it
