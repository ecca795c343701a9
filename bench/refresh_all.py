"""Time to refresh N student dashboards (default 10,000) with one RQ worker.

Seeds N students with cohorts, tasks and entries, queues every dashboard (normal
priority), then runs one `worker.py --burst` and times it until the queue is empty.
Usage: .venv/bin/python bench/refresh_all.py [--students 10000]
"""

import argparse
import subprocess
import sys
import time

from common import ROOT, prepare_database  # sets the environment first


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()

    prepare_database()
    from seed_students import seed

    from app import create_app
    from app.extensions import db
    from app.models import DashboardUpdateQueue, StudentDashboardCache
    from app.services.dashboard.queue import queue_refresh
    from app.services.shared.transaction import commit

    app = create_app()
    with app.app_context():
        t0 = time.perf_counter()
        students = seed(args.students)
        print(f"seeded {len(students)} students with 4 tasks and 2 entries each in {time.perf_counter() - t0:.1f} s")
        for i in range(0, len(students), 1000):
            queue_refresh(students[i : i + 1000], "bench", "normal")
        commit()
        db.session.remove()

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "worker.py", "--burst"], cwd=ROOT, check=True, capture_output=True)
    elapsed = time.perf_counter() - t0

    with app.app_context():
        done = db.session.query(StudentDashboardCache).count()
        left = db.session.query(DashboardUpdateQueue).filter(DashboardUpdateQueue.processed_at.is_(None)).count()
    print(
        f"one worker refreshed {done} dashboards in {elapsed:.1f} s "
        f"({done / elapsed:.0f} per second, {1000 * elapsed / max(done, 1):.1f} ms each); {left} left in the queue"
    )


if __name__ == "__main__":
    main()
