"""`flask db upgrade` on an empty PostgreSQL database builds exactly the models' schema."""

import logging

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import DATABASE_URL, recreate_database


def test_migrations_match_models():
    from app import create_app
    from app.extensions import db

    logging.getLogger("pulse.jobs")  # exists before the upgrade, as in a running app
    url = DATABASE_URL + "_migrations"
    recreate_database(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        # alembic's env.py reads logging config: it must leave our loggers working
        assert not logging.getLogger("pulse.jobs").disabled
        downgrade(revision="base")  # and the way back works too
        upgrade()
        db.engine.dispose()
