"""One way to page a list: newest first by id, `before_id` for the next page."""

from app.extensions import db


def newest_first(query, id_column, to_dict, before_id=None, limit=20):
    """{"items", "next_before_id"}: one page of `query`, and where the next one starts (None at the end)."""
    if before_id is not None:
        query = query.where(id_column < before_id)
    rows = db.session.scalars(query.order_by(id_column.desc()).limit(limit + 1)).all()
    items = [to_dict(r) for r in rows[:limit]]
    return {"items": items, "next_before_id": items[-1]["id"] if len(rows) > limit else None}
