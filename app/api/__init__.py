"""HTTP API: one blueprint package per audience, registered by register_api()."""


def register_api(app):
    from app.api import argument_schemas, docs
    from app.api.academy import blp as academy_blp
    from app.api.admin.routes import blp as admin_blp
    from app.api.auth.routes import blp as auth_blp
    from app.api.chatbot.routes import blp as chatbot_blp
    from app.api.cohorts.routes import blp as cohorts_blp
    from app.api.educator import blp as educator_blp
    from app.api.mentor.routes import blp as mentor_blp
    from app.api.notifications.routes import blp as notifications_blp
    from app.api.portal import blp as portal_blp
    from app.api.student.routes import blp as student_blp
    from app.extensions import api, limiter

    argument_schemas.install()
    docs.configure(api)
    api.init_app(app)
    docs.register_spec_parts(api)
    from app.api.health.routes import blp as health_blp
    from app.api.metrics.routes import blp as metrics_blp

    # Probes and /metrics are called by machines on a schedule: no rate limits.
    limiter.exempt(health_blp)
    limiter.exempt(metrics_blp)
    limiter.exempt(docs.swagger_assets)  # static files: one page view is five of them
    limiter.exempt(app.blueprints["api-docs"])  # the docs page and its openapi.json, likewise
    app.register_blueprint(health_blp)
    app.register_blueprint(metrics_blp)
    app.register_blueprint(docs.swagger_assets)
    for blp in (
        academy_blp,
        auth_blp,
        admin_blp,
        chatbot_blp,
        cohorts_blp,
        educator_blp,
        mentor_blp,
        notifications_blp,
        portal_blp,
        student_blp,
    ):
        api.register_blueprint(blp, url_prefix="/api/v1" + blp.url_prefix)
    docs.complete(api)  # last: covers every blueprint registered above
