"""Crisis latency: from the chatbot's POST to the mentor's Socket.IO `notification` event.

First the text check alone, in-process (bench/detector_latency.py): p50/p99 of the
verdict path on corpus messages and 4,000-character ones, in wall and CPU time, with the
load average before and after (issue 25's goal: p99 <= 2 ms for 4,000 characters).
`--detector` stops there (no database, no server); `--stages` adds normalise, rules,
model and the C-SSRS markers one by one.

Then N mentors keep connected Socket.IO clients; their students post crisis intents; prints
p50/p95/p99 of POST -> event (wall time only: it spans three processes), then a cached
insights GET against a trivial endpoint on the same server.
Usage: .venv/bin/python bench/crisis_latency.py [--detector] [--stages] [--mentors 10] [--posts 200]
"""

import argparse
import threading
import time

import requests
import socketio
from common import CHATBOT_KEY, free_port, prepare_database, report, start  # sets the environment first
from detector_latency import run as detector_latency
from detector_latency import uptime


def make_users(mentors, students_per_mentor):
    from app import create_app
    from app.extensions import db
    from app.models import Role, User

    app = create_app()
    with app.app_context():
        pairs = []
        for m in range(mentors):
            mentor = User(email=f"mentor{m}@bench.test", name=f"Mentor {m}", role=Role.MENTOR)
            mentor.set_password("bench-password")
            db.session.add(mentor)
            db.session.flush()
            for s in range(students_per_mentor):
                student = User(
                    email=f"s{m}-{s}@bench.test", name=f"Student {m}-{s}", role=Role.STUDENT, mentor_id=mentor.id
                )
                student.set_password("bench-password")
                db.session.add(student)
                db.session.flush()
                pairs.append((mentor.email, student.id))
        db.session.commit()
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentors", type=int, default=10)
    parser.add_argument("--students-per-mentor", type=int, default=2)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--gets", type=int, default=500)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent"])
    parser.add_argument("--detector", action="store_true", help="only the in-process text check")
    parser.add_argument("--stages", action="store_true", help="the text check's stages one by one too")
    parser.add_argument("--rounds", type=int, default=5, help="runs per message for the text check")
    args = parser.parse_args()

    detector_latency(args.rounds, args.stages)
    if args.detector:
        return
    print(uptime())
    prepare_database()
    pairs = make_users(args.mentors, args.students_per_mentor)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["wsgi.py"], port=port, async_mode=args.async_mode)
    worker = start(["worker.py"])
    http = requests.Session()
    try:
        arrived, lock, clients, tokens = {}, threading.Lock(), [], {}
        for email in sorted({e for e, _ in pairs}):
            tokens[email] = http.post(
                f"{base}/api/v1/auth/login", json={"email": email, "password": "bench-password"}
            ).json()["access_token"]
            sio = socketio.Client(reconnection=False)

            def on_notification(data):
                with lock:
                    arrived[data["data"]["alert_id"]] = time.perf_counter()

            sio.on("notification", on_notification)
            sio.connect(base, auth={"token": tokens[email]}, transports=["websocket"])
            clients.append(sio)

        sent = {}
        for i in range(args.posts):
            _email, student_id = pairs[i % len(pairs)]
            t0 = time.perf_counter()
            res = http.post(
                f"{base}/api/v1/chatbot/intents",
                headers={"X-Chatbot-Key": CHATBOT_KEY},
                json={
                    "student_id": student_id,
                    "message": "I want to end my life",
                    "intent": "crisis",
                    "confidence": 0.97,
                },
            )
            sent[res.json()["alert"]["id"]] = t0
        deadline = time.monotonic() + 10
        while len(arrived) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies = [(arrived[a] - t0) * 1000 for a, t0 in sent.items() if a in arrived]
        print(
            f"{args.mentors} mentors connected, {len(pairs)} students, {args.posts} crisis posts "
            f"({args.async_mode}); delivered {len(latencies)}/{len(sent)}"
        )
        report("crisis POST -> mentor notification event", latencies)

        email, student_id = pairs[0]
        headers = {"Authorization": f"Bearer {tokens[email]}"}
        insights_url = f"{base}/api/v1/mentor/student/{student_id}/insights"
        http.get(insights_url, headers=headers)
        for _ in range(100):  # wait for the worker to fill the cache
            if http.get(insights_url, headers=headers).json()["cached"]:
                break
            time.sleep(0.1)
        for title, url, hdrs in [
            ("GET cached insights", insights_url, headers),
            ("GET /healthz (trivial)", f"{base}/healthz", {}),
        ]:
            samples = []
            for _ in range(args.gets):
                t0 = time.perf_counter()
                http.get(url, headers=hdrs)
                samples.append((time.perf_counter() - t0) * 1000)
            report(title, samples)
        print(uptime())
    finally:
        for sio in clients:
            sio.disconnect()
        web.terminate()
        worker.terminate()


if __name__ == "__main__":
    main()
