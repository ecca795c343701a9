"""INSERT ... ON CONFLICT DO UPDATE for PostgreSQL (production, tests) and SQLite (development)."""

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_for(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def upsert(model, values, keys, update, index_where=None):
    """Insert `values` (a dict or list of dicts); on a `keys` conflict update the
    `update` columns (or the dict `update(stmt)` returns, for expressions on stmt.excluded)."""
    stmt = insert_for(model).values(values)
    set_ = update(stmt) if callable(update) else {c: stmt.excluded[c] for c in update}
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys, index_where=index_where, set_=set_))
