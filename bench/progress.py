"""Academy progress: lesson complete -> the student's Socket.IO `progress:updated`, and
GET /student/courses (from Redis) against /healthz on the same server.

N students, each with a connected Socket.IO client, are enrolled in a free course with L
lessons; they complete lessons one POST at a time (each a new completion). Prints p50/p95/p99.
Usage: .venv/bin/python bench/progress.py [--students 20] [--lessons 20] [--gets 500]
Set BENCH_DATABASE_URL / BENCH_REDIS_URL to keep off a database someone else benchmarks on.
"""

import argparse
import threading
import time

import requests
import socketio
from common import free_port, prepare_database, report, start  # sets the environment first


def make_course(students, lessons):
    from app import create_app
    from app.extensions import db
    from app.models import Role, User
    from app.services.academy import catalog, enrolment

    app = create_app()
    with app.app_context():
        educator = User(email="educator@bench.test", name="Bench Educator", role=Role.EDUCATOR)
        educator.set_password("bench-password")
        db.session.add(educator)
        db.session.commit()
        course = catalog.create_course(educator, "Bench course", "", 0, published=True)
        module = catalog.create_module(educator, course.id, "All")
        lesson_ids = [
            catalog.create_lesson(educator, course.id, module.id, f"Lesson {i}", published=True).id
            for i in range(lessons)
        ]
        emails = []
        for s in range(students):
            student = User(email=f"s{s}@bench.test", name=f"Student {s}", role=Role.STUDENT)
            student.set_password("bench-password")
            db.session.add(student)
            db.session.commit()
            enrolment.enrol(student, course.id)
            emails.append(student.email)
        return course.id, lesson_ids, emails


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=20)
    parser.add_argument("--gets", type=int, default=500)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent"])
    args = parser.parse_args()

    prepare_database()
    course_id, lesson_ids, emails = make_course(args.students, args.lessons)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["wsgi.py"], port=port, async_mode=args.async_mode)
    worker = start(["worker.py"])
    http = requests.Session()
    clients = []
    try:
        arrived, lock, tokens = {}, threading.Lock(), {}
        for email in emails:
            tokens[email] = http.post(
                f"{base}/api/v1/auth/login", json={"email": email, "password": "bench-password"}
            ).json()["access_token"]
            sio = socketio.Client(reconnection=False)

            def on_progress(data, email=email):
                with lock:
                    arrived[(email, data["lesson_id"])] = time.perf_counter()

            sio.on("progress:updated", on_progress)
            sio.connect(base, auth={"token": tokens[email]}, transports=["websocket"])
            clients.append(sio)

        sent = {}
        for lesson_id in lesson_ids:
            for email in emails:
                t0 = time.perf_counter()
                res = http.post(
                    f"{base}/api/v1/courses/{course_id}/lessons/{lesson_id}/complete",
                    headers={"Authorization": f"Bearer {tokens[email]}"},
                )
                res.raise_for_status()
                sent[(email, lesson_id)] = t0
        deadline = time.monotonic() + 10
        while len(arrived) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies = [(arrived[k] - t0) * 1000 for k, t0 in sent.items() if k in arrived]
        print(
            f"{args.students} students connected, {args.lessons} lessons, {len(sent)} completions "
            f"({args.async_mode}); delivered {len(latencies)}/{len(sent)}"
        )
        report("lesson complete -> progress:updated", latencies)

        headers = {"Authorization": f"Bearer {tokens[emails[0]]}"}
        http.get(f"{base}/api/v1/student/courses", headers=headers)  # fills the cache
        for title, url, hdrs in [
            ("GET /student/courses (cached)", f"{base}/api/v1/student/courses", headers),
            ("GET /healthz (trivial)", f"{base}/healthz", {}),
        ]:
            samples = []
            for _ in range(args.gets):
                t0 = time.perf_counter()
                http.get(url, headers=hdrs).raise_for_status()
                samples.append((time.perf_counter() - t0) * 1000)
            report(title, samples)
    finally:
        for sio in clients:
            sio.disconnect()
        web.terminate()
        worker.terminate()


if __name__ == "__main__":
    main()
