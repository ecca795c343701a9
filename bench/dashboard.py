"""Cached student dashboard GET: throughput and latency against a trivial endpoint, cache hit rate.

Seeds students with real work, refreshes their dashboards once, starts one web process,
then C client threads send N requests each to GET /api/v1/student/dashboard (spread over
all students) and to GET /healthz on the same server. The hit rate comes from /metrics.
Usage: .venv/bin/python bench/dashboard.py [--students 200] [--requests 2000] [--concurrency 8]
"""

import argparse
import threading
import time

import requests
from common import free_port, percentiles, prepare_database, start  # sets the environment first
from prometheus_client.parser import text_string_to_metric_families


def cache_counts(base):
    counts = {"redis": 0.0, "database": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(requests.get(f"{base}/metrics").text):
        for s in family.samples:
            if s.name == "pulse_dashboard_cache_hits_total":
                counts[s.labels["layer"]] += s.value
            elif s.name == "pulse_dashboard_cache_misses_total":
                counts["miss"] += s.value
    return counts


def load(url, headers_for, total, concurrency):
    samples, lock = [], threading.Lock()

    def worker(n):
        http = requests.Session()
        mine = []
        for i in range(n, total, concurrency):
            t0 = time.perf_counter()
            res = http.get(url, headers=headers_for(i))
            mine.append((time.perf_counter() - t0) * 1000)
            assert res.status_code == 200, res.text
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - t0


def line(title, samples, elapsed):
    p = percentiles(samples)
    print(
        f"{title:<34} n={p['n']:<6} {p['n'] / elapsed:7.0f} req/s  p50={p['p50']:6.2f} ms  "
        f"p95={p['p95']:6.2f} ms  p99={p['p99']:6.2f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent"])
    args = parser.parse_args()

    prepare_database()
    from flask_jwt_extended import create_access_token
    from seed_students import seed

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services.dashboard.refresh import refresh_student

    app = create_app()
    with app.app_context():
        students = seed(args.students)
        for sid in students:
            refresh_student(sid, "bench")
        tokens = [create_access_token(identity=db.session.get(User, sid)) for sid in students]
        db.session.remove()
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["wsgi.py"], port=port, async_mode=args.async_mode)
    try:
        for h in headers:  # first read per student fills Redis from the database row
            requests.get(f"{base}/api/v1/student/dashboard", headers=h)
        before = cache_counts(base)
        dash, dash_s = load(
            f"{base}/api/v1/student/dashboard", lambda i: headers[i % len(headers)], args.requests, args.concurrency
        )
        after = cache_counts(base)
        trivial, trivial_s = load(f"{base}/healthz", lambda i: {}, args.requests, args.concurrency)
        print(f"{args.students} students, {args.concurrency} client threads, {args.async_mode}")
        line("GET /student/dashboard (cached)", dash, dash_s)
        line("GET /healthz (trivial)", trivial, trivial_s)
        delta = {k: after[k] - before[k] for k in after}
        reads = sum(delta.values())
        print(
            f"cache hit rate {100 * delta['redis'] / reads:.1f}% from Redis, "
            f"{100 * (delta['redis'] + delta['database']) / reads:.1f}% without computing ({int(reads)} reads)"
        )
    finally:
        web.terminate()


if __name__ == "__main__":
    main()
