"""Users for the scale stack: STUDENTS students spread over MENTORS mentors, with access
tokens (valid for 12 hours) written to tokens.json for bench/sockets.py and bench/http.sh."""

import json
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from flask_jwt_extended import create_access_token  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Role, User  # noqa: E402


def main(out, students, mentors):
    app = create_app()
    with app.app_context():
        digest = User(email="x@x", name="x", role=Role.STUDENT)
        digest.set_password("scale-password")  # one hash for all: hashing 10,000 takes minutes
        rows = [
            {"email": f"mentor{m}@scale.test", "name": f"Mentor {m}", "role": Role.MENTOR, "is_active": True}
            for m in range(mentors)
        ]
        for row in rows:
            row["password_hash"] = digest.password_hash
        db.session.execute(insert(User), rows)
        mentor_ids = list(db.session.scalars(select(User.id).where(User.role == Role.MENTOR).order_by(User.id)))
        srows = [
            {
                "email": f"student{s}@scale.test",
                "name": f"Student {s}",
                "role": Role.STUDENT,
                "is_active": True,
                "password_hash": digest.password_hash,
                "mentor_id": mentor_ids[s % len(mentor_ids)],
            }
            for s in range(students)
        ]
        db.session.execute(insert(User), srows)
        db.session.commit()
        users = db.session.scalars(select(User).order_by(User.id)).all()
        ttl = timedelta(hours=12)
        data = {"students": [], "mentors": []}
        for user in users:
            item = {"id": user.id, "token": create_access_token(identity=user, expires_delta=ttl)}
            if user.role == Role.MENTOR:
                data["mentors"].append(item)
            else:
                item["mentor_id"] = user.mentor_id
                data["students"].append(item)
    with open(out, "w") as f:
        json.dump(data, f)
    print(f"seeded {len(data['students'])} students, {len(data['mentors'])} mentors -> {out}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
