"""The student's pages: GET /student (the dashboard page, from the cache) against /healthz,
and, in Chromium, a lesson's "Mark complete" click until the progress bar has moved.

One student in a cohort with tasks, enrolled in a free course of L lessons, signed in through
the login page (session cookie). The page times are localhost round trips measured by the
client (so they include the server's time plus a little); the click times are measured in
the page (performance.now() from the click until the bar's aria-valuenow changed).
Usage: .venv/bin/python bench/student_pages.py [--gets 300] [--lessons 40] [--async-mode gevent]
Set BENCH_DATABASE_URL / BENCH_REDIS_URL to keep off a database someone else benchmarks on.
"""

import argparse
import re
import shutil
import time

import requests
from common import cpu_ms, free_port, load, prepare_database, report, start  # sets the environment first

PASSWORD = "bench-password"
# Before the click: wait until htmx is idle (no request, swap or settle in flight) for 100 ms,
# so the connect-time refresh of the region has landed and its new form is wired up; a click
# on a form about to be replaced, or not yet processed by htmx (a native submit), would
# measure that instead. A click whose bar does not move in 10 s answers null (counted).
CLICK = """async () => {
  const busy = () => document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling");
  let quiet = 0;
  while (quiet < 100) {
    await new Promise((r) => setTimeout(r, 20));
    quiet = busy() ? 0 : quiet + 20;
  }
  const region = document.getElementById("course-progress");
  const before = region.querySelector('[role="progressbar"]').getAttribute("aria-valuenow");
  const button = region.querySelector('button[type="submit"]');
  const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 10000));
  const moved = new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      const bar = region.querySelector('[role="progressbar"]');
      if (bar && bar.getAttribute("aria-valuenow") !== before) { watch.disconnect(); resolve(); }
    });
    watch.observe(region, {subtree: true, childList: true, attributes: true});
  });
  const t0 = performance.now();
  button.click();
  if ((await Promise.race([moved, timeout])) === "timeout") return null;
  return performance.now() - t0;
}"""


def seed(lessons):
    from app import create_app
    from app.extensions import db
    from app.models import Cohort, CohortMember, Role, Task, User
    from app.services.academy import catalog, enrolment

    app = create_app()
    with app.app_context():
        educator = User(email="educator@bench.test", name="Bench Educator", role=Role.EDUCATOR)
        mentor = User(email="mentor@bench.test", name="Bench Mentor", role=Role.MENTOR)
        for u in (educator, mentor):
            u.set_password(PASSWORD)
            db.session.add(u)
        db.session.commit()
        student = User(email="student@bench.test", name="Bench Student", role=Role.STUDENT, mentor_id=mentor.id)
        student.set_password(PASSWORD)
        db.session.add(student)
        cohort = Cohort(name="Bench cohort")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=student.id))
        for i in range(6):
            db.session.add(Task(student_id=student.id, mentor_id=mentor.id, title=f"Task {i}"))
        db.session.commit()
        course = catalog.create_course(educator, "Bench course", "", 0, published=True)
        module = catalog.create_module(educator, course.id, "All")
        ids = [
            catalog.create_lesson(educator, course.id, module.id, f"L{i}", published=True).id for i in range(lessons)
        ]
        enrolment.enrol(student, course.id)
        return course.id, ids


def sign_in(http, base):
    html = http.get(f"{base}/login").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    answer = http.post(f"{base}/login", data={"email": "student@bench.test", "password": PASSWORD, "csrf_token": token})
    answer.raise_for_status()


def pages(base, gets, web):
    http = requests.Session()
    sign_in(http, base)
    http.get(f"{base}/student").raise_for_status()  # fills the dashboard cache
    time.sleep(1)  # the first read's refresh, if any, settles
    for title, url in [
        ("GET /student (dashboard page, cached)", f"{base}/student"),
        ("GET /healthz", f"{base}/healthz"),
    ]:
        samples = []
        cpu0 = cpu_ms(web)
        for _ in range(gets):
            t0 = time.perf_counter()
            http.get(url).raise_for_status()
            samples.append((time.perf_counter() - t0) * 1000)
        cpu = (cpu_ms(web) - cpu0) / gets
        report(title, samples)
        print(f"{'  web process CPU per request (mean)':<44} {cpu:7.2f} ms  ({load()})")


def clicks(base, course_id, lesson_ids):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_context(base_url=base).new_page()
        page.goto("/login")
        page.get_by_label("Email").fill("student@bench.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/student$"))
        samples, failed = [], 0
        for lesson_id in lesson_ids:
            page.goto(f"/student/courses/{course_id}?lesson={lesson_id}")
            page.wait_for_selector('#live-status[data-state="live"]', timeout=60_000)
            took = page.evaluate(CLICK)
            if took is None:
                failed += 1
            else:
                samples.append(took)
        browser.close()
    report("Mark complete click -> bar moved (Chromium)", samples)
    print(f"  {failed} of {len(lesson_ids)} clicks did not move the bar within 10 s ({load()})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gets", type=int, default=300)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--async-mode", default="gevent", choices=["eventlet", "gevent"])
    args = parser.parse_args()
    prepare_database()
    course_id, lesson_ids = seed(args.lessons)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["wsgi.py"], port=port, async_mode=args.async_mode)
    worker = start(["worker.py"])
    try:
        print(f"one student, {args.lessons} lessons, {args.async_mode}")
        print(load())
        pages(base, args.gets, web)
        clicks(base, course_id, lesson_ids)
    finally:
        web.terminate()
        worker.terminate()


if __name__ == "__main__":
    main()
