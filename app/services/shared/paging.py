"""One way to page a list: newest first by id, `before_id` for the next page; and oldest first
in batches for a streamed export."""

from app.extensions import db


def oldest_first_in_batches(query, id_column, size=500):
    """Every row of `query`, oldest first, read `size` at a time, each batch its own query
    (keyset on `id_column`). For streamed responses: a server-side cursor would not outlive
    the request's transaction, which ends before the body is sent."""
    after = None
    while True:
        batch = query if after is None else query.where(id_column > after)
        rows = db.session.scalars(batch.order_by(id_column).limit(size)).all()
        yield from rows
        if len(rows) < size:
            return
        after = getattr(rows[-1], id_column.key)


def newest_first(query, id_column, shape=None, before_id=None, limit=20):
    """{"items", "next_before_id"}: one page of `query`, and where the next one starts (None at the end).

    The items are the rows themselves, for the route's response schema to dump, unless a
    `shape` function is given."""
    if before_id is not None:
        query = query.where(id_column < before_id)
    rows = db.session.scalars(query.order_by(id_column.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return {
        "items": [shape(r) for r in page] if shape is not None else page,
        "next_before_id": getattr(page[-1], id_column.key) if len(rows) > limit else None,
    }
