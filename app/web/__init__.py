"""Browser pages: one `web` blueprint with a nested blueprint per audience (auth, mentor,
student, educator, admin), as app/api/ has one per audience. Pages call the same services
as the API, never the API over HTTP. docs/web.md tells how to add a page."""

from flask import Blueprint

from app.web import assets, errors, session
from app.web.csrf import csrf, protect


def register_web(app):
    """Bind the pages to `app`. The parent blueprint is made per app: create_app may run more
    than once in a process (the tests do), and a registered blueprint takes no more children."""
    from app.web.account import blp as account_blp
    from app.web.admin import blp as admin_blp
    from app.web.auth.routes import blp as auth_blp
    from app.web.educator import blp as educator_blp
    from app.web.mentor import blp as mentor_blp
    from app.web.public import blp as public_blp
    from app.web.student import blp as student_blp

    web = Blueprint("web", __name__)
    web.before_request(session.load_person)  # every page knows who is asking (g.person)
    web.before_request(protect)  # every state-changing request from a page carries the token
    csrf.init_app(app)
    for blp in (auth_blp, account_blp, mentor_blp, student_blp, educator_blp, admin_blp, public_blp):
        web.register_blueprint(blp)
    app.register_blueprint(web)
    app.context_processor(session.template_context)
    assets.install(app)
    errors.install(app)
