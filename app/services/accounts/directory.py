"""The admin's user directory: search by name or email, filter by role, one page at a time."""

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Role, User

PER_PAGE = 25


def search(q=None, role=None, page=1, per_page=PER_PAGE):
    """({"items": users, "total", "page", "pages"}), newest account first."""
    query = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if role:
        query = query.where(User.role == Role(role))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = db.session.scalars(query.order_by(User.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": items, "total": total, "page": page, "pages": pages}


def mentors():
    """Active mentors, by name (the choices when assigning a student's mentor)."""
    return db.session.scalars(
        select(User).where(User.role == Role.MENTOR, User.is_active.is_(True)).order_by(User.name)
    ).all()
