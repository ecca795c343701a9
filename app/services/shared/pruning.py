"""Delete old rows in batches, so a large backlog never holds one long lock or transaction."""

from flask import current_app
from sqlalchemy import delete, select, tuple_

from app.extensions import db


def delete_in_batches(model, *conditions, batch_size=None):
    """Delete every row of `model` matching `conditions`, `batch_size` rows per commit. Returns how many."""
    batch_size = batch_size or current_app.config["PRUNE_BATCH"]
    keys = list(model.__table__.primary_key.columns)
    total = 0
    while True:
        chosen = select(*keys).where(*conditions).limit(batch_size)
        if len(keys) == 1:
            stmt = delete(model).where(keys[0].in_(chosen.scalar_subquery()))
        else:
            stmt = delete(model).where(tuple_(*keys).in_(chosen))
        count = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        total += count
        if count < batch_size:
            return total
