"""CPU time (time.process_time, median of --repeat) of the server's work behind one grade
write on the educator overview page, in this process, without a web server or browser: on
a shared, loaded machine CPU time moves far less than wall time.

Seeds 30 sections x 40 students x 20 exams (bench/performance.py's seed), then prints:
  - the weekly trends of all sections from the tables (reports.trends, what the API answers
    and what every write cost the page before the per-section parts),
  - one section's part from the tables, and the page's trends after one write (29 parts
    from Redis, one read again, merged),
  - the page's trends and the whole board.view from the cache (no write),
  - recompute_section (the worker's job after a write: the section's figures and the overview).
Usage: .venv/bin/python bench/overview_write_cpu.py [--sections 30] [--students 40] [--repeat 7]
"""

import argparse
import os
import statistics
import time

from common import prepare_database  # sets the environment first
from performance import seed


def cpu_ms(fn, repeat):
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=30)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--exams", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    prepare_database()
    seed(args.sections, args.students, args.exams)

    from app import create_app
    from app.extensions import db
    from app.models import Section, User, utcnow
    from app.services.performance import access, board, recompute, reports, store
    from app.services.performance import trends as weekly_trends
    from app.services.shared import cache

    app = create_app()
    with app.app_context():
        educator = db.session.query(User).filter_by(email="educator@bench.test").one()
        ids = access.section_ids_for(educator)
        now = utcnow()
        today = now.date()
        for sid in ids:  # every section has its cache row, as after real writes
            store.mark_dirty(db.session.get(Section, sid))
        db.session.commit()
        board.view(educator, now=now)  # warm: figures, overview, trends

        def after_one_write():
            section = db.session.get(Section, ids[0])
            store.mark_dirty(section)  # a new data version: a new merged key and part key
            db.session.commit()
            weekly_trends.weekly_cached(ids, 8, today)

        def recompute_one():
            store.mark_dirty(db.session.get(Section, ids[1]))
            db.session.commit()
            recompute.recompute_section(ids[1], now=now)
            db.session.commit()
            cache.delete(cache.performance_throttle_key(ids[1]))

        starts = weekly_trends.week_starts(today, 8)
        rows = [
            ("trends of all sections from the tables", lambda: reports.trends(educator, now=now)),
            ("one section's part from the tables", lambda: weekly_trends.parts([ids[0]], starts, today)),
            ("page trends after one write (29 cached)", after_one_write),
            ("page trends from the cache", lambda: weekly_trends.weekly_cached(ids, 8, today)),
            ("board.view from the cache (the region)", lambda: board.view(educator, now=now)),
            ("recompute_section (worker, after a write)", recompute_one),
        ]
        print(
            f"{len(ids)} sections x {args.students} students x {args.exams} exams; load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        for title, fn in rows:
            print(f"{title:<44} CPU {cpu_ms(fn, args.repeat):8.1f} ms (median of {args.repeat})")


if __name__ == "__main__":
    main()
