"""Educator performance: overview latency (cached and cold) and grade write -> educator event.

Seeds S sections x N students x E published exams (default 30 x 40 x 20: 24,000 grades)
and 20 days of attendance for one educator, starts one web process (eventlet) and one
RQ worker, then prints:
  - GET /performance/overview served from performance_cache (cached),
  - the same GET after every section was made stale (cold: all sections recomputed),
  - the same GET after one section changed (one section recomputed, merged with the rest),
  - PUT one grade -> `grade:updated` on a real Socket.IO client, p50/p95/p99. Each section
    is written at most once per 2.1 s so no sample waits for the coalescing interval. A
    section's first write also sends its at-risk notices (then at most weekly), so those
    are reported apart from the steady state.
Usage: .venv/bin/python bench/performance.py [--sections 30] [--students 40] [--exams 20] [--writes 150]
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import requests
import socketio
from common import ROOT, free_port, prepare_database, report, start  # sets the environment first

os.environ["SOCKETIO_CHANNEL"] = f"pulse-bench-performance-{os.getpid()}"
PASSWORD = "bench-password"


def seed(sections, students, exams):
    from sqlalchemy import insert

    from app import create_app
    from app.extensions import db
    from app.models import Exam, Grade, Role, Section, SectionAttendance, SectionEnrolment, User

    app = create_app()
    with app.app_context():
        educator = User(email="educator@bench.test", name="Bench Educator", role=Role.EDUCATOR)
        educator.set_password(PASSWORD)
        db.session.add(educator)
        db.session.flush()
        users = [
            {"email": f"s{i}@bench.test", "name": f"Student {i}", "role": Role.STUDENT, "password_hash": "x",
             "is_active": True, "tier": "free", "created_at": datetime.now(UTC)}
            for i in range(sections * students)
        ]  # fmt: skip
        ids = list(db.session.scalars(insert(User).returning(User.id), users))
        today, enrolled = date.today(), datetime.now(UTC) - timedelta(days=200)
        exam_ids = {}
        for s in range(sections):
            section = Section(
                educator_id=educator.id, name=f"Section {s:02d}", subjects=["maths", "science"], term="T1"
            )
            db.session.add(section)
            db.session.flush()
            mine = ids[s * students : (s + 1) * students]
            db.session.execute(
                insert(SectionEnrolment),
                [{"section_id": section.id, "student_id": sid, "enrolled_at": enrolled} for sid in mine],
            )
            rows = [
                {"section_id": section.id, "subject": ("maths", "science")[e % 2], "name": f"Exam {e}",
                 "date": today - timedelta(days=7 * (exams - e)), "total_marks": 100.0, "published": True,
                 "created_at": enrolled, "updated_at": enrolled}
                for e in range(exams)
            ]  # fmt: skip
            exam_rows = list(db.session.scalars(insert(Exam).returning(Exam.id), rows))
            exam_ids[section.id] = (exam_rows[-1], mine)
            db.session.execute(
                insert(Grade),
                [
                    {"exam_id": e, "student_id": sid, "score": float((sid * 7 + e * 13) % 61 + 40),
                     "graded_at": enrolled}
                    for e in exam_rows
                    for sid in mine
                ],
            )  # fmt: skip
            db.session.execute(
                insert(SectionAttendance),
                [
                    {"section_id": section.id, "student_id": sid, "day": today - timedelta(days=d),
                     "status": ("present", "present", "late", "absent", "excused")[(sid + d) % 5], "remarks": "",
                     "marked_at": enrolled}
                    for d in range(1, 21)
                    for sid in mine
                ],
            )  # fmt: skip
        db.session.commit()
        return exam_ids


def make_all_stale(only=None):
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        where = f" WHERE section_id = {int(only)}" if only else " WHERE section_id IS NOT NULL"
        db.session.execute(text("UPDATE performance_cache SET data_version = data_version + 1" + where))
        db.session.commit()


def timed_get(http, url, headers):
    t0 = time.perf_counter()
    res = http.get(url, headers=headers)
    elapsed = (time.perf_counter() - t0) * 1000
    assert res.status_code == 200, res.text
    return elapsed, res.json()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=30)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--exams", type=int, default=20)
    parser.add_argument("--writes", type=int, default=150)
    parser.add_argument("--cached", type=int, default=500)
    parser.add_argument("--cold", type=int, default=15)
    args = parser.parse_args()

    prepare_database()
    t0 = time.perf_counter()
    exams = seed(args.sections, args.students, args.exams)
    grades = args.sections * args.students * args.exams
    print(f"seeded {args.sections} sections x {args.students} students x {args.exams} exams "
          f"({grades} grades) in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    port = free_port()
    web = start(["wsgi.py"], port=port)
    log_path = os.environ.get("BENCH_WORKER_LOG")  # where the worker's job summaries go, if set
    if log_path:
        worker = subprocess.Popen([sys.executable, "worker.py", "--no-cron"], cwd=ROOT, stdout=open(log_path, "w"),
                                  stderr=subprocess.STDOUT, env={**os.environ})  # fmt: skip
    else:
        worker = start(["worker.py", "--no-cron"])
    base = f"http://127.0.0.1:{port}"
    try:
        http = requests.Session()
        login = http.post(f"{base}/api/v1/auth/login", json={"email": "educator@bench.test", "password": PASSWORD})
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{base}/api/v1/performance/overview"

        cold = []
        for _ in range(args.cold):
            make_all_stale()
            ms, body = timed_get(http, url, headers)
            assert body["cached"] is False
            cold.append(ms)
        report(f"overview cold ({args.sections} sections recomputed)", cold)
        one = []
        section_ids = sorted(exams)
        for i in range(args.cold):
            make_all_stale(section_ids[i % len(section_ids)])
            ms, body = timed_get(http, url, headers)
            assert body["cached"] is False
            one.append(ms)
        report("overview after one section changed", one)
        timed_get(http, url, headers)
        cached = []
        for _ in range(args.cached):
            ms, body = timed_get(http, url, headers)
            assert body["cached"] is True
            cached.append(ms)
        report("overview cached", cached)
        print(f"  (overview: {body['total_students']} students, average {body['overall_average']})")

        # grade write -> grade:updated on a real Socket.IO client
        got, cond = {}, threading.Condition()
        sio = socketio.Client(reconnection=False)

        @sio.on("grade:updated")
        def on_grade(data):
            with cond:
                got.setdefault(data["section_id"], []).append(time.perf_counter())
                cond.notify_all()

        sio.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        time.sleep(0.5)  # joined its rooms
        last_write, samples, puts = {}, [], []
        for i in range(args.writes):
            sid = section_ids[i % len(section_ids)]
            wait = last_write.get(sid, 0) + 2.1 - time.perf_counter()
            if wait > 0:
                time.sleep(wait)  # outside the section's coalescing interval: measure the direct path
            exam_id, students = exams[sid]
            with cond:
                seen = len(got.get(sid, []))
            started = time.perf_counter()
            last_write[sid] = started
            res = http.put(
                f"{base}/api/v1/educator/exams/{exam_id}/grades",
                json=[{"student_id": students[i % len(students)], "score": float(40 + i % 60)}],
                headers=headers,
            )
            assert res.status_code == 200, res.text
            puts.append((time.perf_counter() - started) * 1000)
            with cond:
                if not cond.wait_for(lambda sid=sid, seen=seen: len(got.get(sid, [])) > seen, timeout=10):
                    raise RuntimeError(f"no grade:updated for section {sid}")
                samples.append((got[sid][seen] - started) * 1000)
        sio.disconnect()
        first = len(section_ids)  # each section's first write also sends its at-risk notices (weekly)
        report("grade PUT answered", puts)
        report("grade PUT -> grade:updated (all)", samples)
        if len(samples) > first + 1:
            report("  first write per section", samples[:first])
            report("  later writes (steady state)", samples[first:])
    finally:
        for proc in (web, worker):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
