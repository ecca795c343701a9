"""Room names. Every room is named here and nowhere else."""

from app.models import Role

ADMINS_ROOM = "admins"


def user_room(user_id):
    return f"user:{user_id}"


def mentor_room(mentor_id):
    return f"mentor:{mentor_id}"


def student_room(student_id):
    return f"student:{student_id}"


def educator_room(educator_id):
    return f"educator:{educator_id}"


def cohort_room(cohort_id):
    return f"cohort:{cohort_id}"


def course_room(course_id):
    return f"course:{course_id}"


ROLE_ROOMS = {
    Role.MENTOR: mentor_room,
    Role.STUDENT: student_room,
    Role.EDUCATOR: educator_room,
}


def rooms_for(user):
    """The rooms a connected user (a principals.Principal: no database read) is entitled to,
    decided by the server alone."""
    rooms = [user_room(user.id)]
    if user.role in ROLE_ROOMS:
        rooms.append(ROLE_ROOMS[user.role](user.id))
    if user.role == Role.ADMIN:
        rooms.append(ADMINS_ROOM)
    rooms.extend(cohort_room(cid) for cid in user.cohort_ids)
    rooms.extend(course_room(cid) for cid in user.course_ids)
    return rooms
