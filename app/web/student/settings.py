"""The student's settings page: the shared settings forms (app/web/account/settings.py)
inside the student's pages. The old form addresses under /student/settings still work."""

from app.web.account import settings as account
from app.web.session import require_role
from app.web.student import blp


@blp.get("/settings")
@require_role("student")
def settings():
    """The student's settings."""
    return account.render("web/student/settings.html")


for rule, view in (
    ("/settings/profile", account.save_profile),
    ("/settings/notifications", account.save_notifications),
    ("/settings/sign-out-everywhere", account.sign_out_everywhere),
):
    blp.add_url_rule(rule, view_func=view, methods=["POST"])
