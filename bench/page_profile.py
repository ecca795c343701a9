"""Where the server time of the two busiest pages goes: the mentor's overview (GET /mentor)
and the student's dashboard (GET /student), in-process with Flask's test client.

CPU time, not wall time: the machine is shared, so wall-clock figures swing with the other
jobs' load while the process's own CPU time per request (time.process_time) does not.
Per page it prints the SQL statements one request makes (counted with SQLAlchemy's
before_cursor_execute event, grouped by their first words), CPU and wall time per request
(p50/p95 over --gets), and with --profile the top of a cProfile of those requests.

Usage: .venv/bin/python bench/page_profile.py [--students 30] [--gets 200] [--profile]
(BENCH_DATABASE_URL / BENCH_REDIS_URL; drops and re-creates that database.)
"""

import argparse
import collections
import cProfile
import io
import logging
import os
import pstats
import re
import time
from datetime import timedelta

from common import CHATBOT_KEY, percentiles, prepare_database  # sets the environment first

PASSWORD = "bench-password"
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def seed(app, students, alerts):
    """A mentor with `students` students (cohort, 3 tasks, 2 entries, a session each), and
    `alerts` open crisis alerts raised through the chatbot API (the banner's rows)."""
    from app.extensions import db
    from app.models import Cohort, CohortMember, Entry, Role, Schedule, Task, User, utcnow

    with app.app_context():
        mentor = User(email="maya@bench.test", name="Maya Mentor", role=Role.MENTOR)
        mentor.set_password(PASSWORD)
        cohort = Cohort(name="Mentor bench cohort")
        db.session.add_all([mentor, cohort])
        db.session.flush()
        ids = []
        now = utcnow()
        for i in range(students):
            s = User(email=f"s{i}@bench.test", name=f"Student {i:02d}", role=Role.STUDENT, mentor_id=mentor.id)
            s.set_password(PASSWORD)
            db.session.add(s)
            db.session.flush()
            ids.append(s.id)
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=s.id))
            for t in range(3):
                db.session.add(
                    Task(student_id=s.id, mentor_id=mentor.id, title=f"Task {t}", due_at=now + timedelta(days=t - 1))
                )
            for e in range(2):
                db.session.add(Entry(student_id=s.id, title=f"Entry {e}", body="Worked on it"))
            start = now + timedelta(hours=2 + i)
            end = start + timedelta(hours=1)
            db.session.add(Schedule(mentor_id=mentor.id, student_id=s.id, title="1:1", start_time=start, end_time=end))
        db.session.commit()
    client = app.test_client()
    for i in range(alerts):
        body = {"student_id": ids[i % len(ids)], "message": "I keep thinking about ending it", "intent": "crisis"}
        answer = client.post(
            "/api/v1/chatbot/intents", json={**body, "confidence": 0.93}, headers={"X-Chatbot-Key": CHATBOT_KEY}
        )
        assert answer.status_code == 201, answer.get_json()
    return ids


def signed_in(app, email):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


class Statements:
    """Counts the SQL statements the engine runs, by their first words."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.seen = collections.Counter()
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, conn, cursor, statement, parameters, context, executemany):
        words = " ".join(statement.split())
        match = re.match(r"(SELECT .{0,60}?FROM \S+|\w+ \w+ \S+)", words)
        self.seen[match.group(1) if match else words[:60]] += 1


def measure(app, client, path, gets, profile):
    from app.extensions import db

    with app.app_context():
        stats = Statements(db.engine)
    for _ in range(3):  # warm: templates compiled, caches filled, a stale refresh queued
        assert client.get(path).status_code == 200
    stats.seen.clear()
    assert client.get(path).status_code == 200
    one = dict(stats.seen)
    cpu, wall = [], []
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    for _ in range(gets):
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        assert client.get(path).status_code == 200
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    print(f"{path}: {sum(one.values())} SQL statements per request")
    for text, n in sorted(one.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d} x {text}")
    for title, samples in (("CPU", cpu), ("wall", wall)):
        p = percentiles(samples)
        print(f"  {title:<5} n={p['n']:<5} p50={p['p50']:7.2f} ms  p95={p['p95']:7.2f} ms  p99={p['p99']:7.2f} ms")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())


def lesson_clicks(app, lessons, profile):
    """POST .../lessons/<id>/complete as htmx does (the region answered): the click's server part."""
    from student_pages import seed as seed_course

    from app.extensions import db

    course_id, lesson_ids = seed_course(lessons)
    client = signed_in(app, "student@bench.test")
    html = client.get(f"/student/courses/{course_id}?lesson={lesson_ids[0]}").get_data(as_text=True)
    headers = {"HX-Request": "true", "X-CSRFToken": TOKEN.search(html).group(1)}
    with app.app_context():
        stats = Statements(db.engine)
    cpu, wall, counts = [], [], []
    profiler = cProfile.Profile(time.process_time) if profile else None
    for lesson_id in lesson_ids:
        stats.seen.clear()
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        answer = client.post(f"/student/courses/{course_id}/lessons/{lesson_id}/complete", headers=headers)
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert answer.status_code == 200, answer.status_code
        counts.append(sum(stats.seen.values()))
    print(f"POST lesson complete: {min(counts)}-{max(counts)} SQL statements per request")
    for text, n in sorted(stats.seen.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d} x {text}")
    for title, samples in (("CPU", cpu), ("wall", wall)):
        p = percentiles(samples)
        print(f"  {title:<5} n={p['n']:<5} p50={p['p50']:7.2f} ms  p95={p['p95']:7.2f} ms  p99={p['p99']:7.2f} ms")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--alerts", type=int, default=3)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=["mentor", "student", "lesson"])
    parser.add_argument("--lessons", type=int, default=40)
    args = parser.parse_args()
    prepare_database()
    from app import create_app

    app = create_app()
    logging.getLogger("pulse.request").setLevel(logging.WARNING)  # one line per request otherwise
    seed(app, args.students, args.alerts)
    print(f"{args.students} students, {args.alerts} open alerts; load average {os.getloadavg()[0]:.2f} on 2 CPUs")
    if args.only in (None, "mentor"):
        measure(app, signed_in(app, "maya@bench.test"), "/mentor", args.gets, args.profile)
    if args.only in (None, "student"):
        measure(app, signed_in(app, "s0@bench.test"), "/student", args.gets, args.profile)
    if args.only in (None, "lesson"):
        lesson_clicks(app, args.lessons, args.profile)


if __name__ == "__main__":
    main()
