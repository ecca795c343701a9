"""The mentor's console in Chromium: crisis POST -> red banner visible (p99 over --posts),
the overview page's server time for a mentor with --students students, and the JS + CSS a
first and a repeat load transfer. With --screenshot PATH it also saves the console (three
open crises, the bell open) as a PNG: docs/img/mentor-console.png is made so.

Usage: .venv/bin/python bench/mentor_console.py [--posts 50] [--students 30] [--screenshot docs/img/mentor-console.png]
(uses BENCH_DATABASE_URL / BENCH_REDIS_URL; drops and re-creates that database.)
"""

import argparse
import gzip
import os
import shutil
import time

import requests
from common import CHATBOT_KEY, cpu_ms, free_port, load, prepare_database, report, start  # sets the environment first

PASSWORD = "bench-password"
CHROMIUM = os.environ.get("PULSE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
NAMES = ["Ada Osei", "Ben Kowalski", "Chloe Martin", "Dev Patel", "Elif Yilmaz", "Femi Adeyemi", "Grace Liu"]


def make_users(students):
    from app import create_app
    from app.extensions import db
    from app.models import Notification, Role, User

    app = create_app()
    with app.app_context():
        mentor = User(email="mentor@bench.test", name="Maya Mentor", role=Role.MENTOR)
        mentor.set_password(PASSWORD)
        db.session.add(mentor)
        db.session.flush()
        ids = []
        for i in range(students):
            name = NAMES[i] if i < len(NAMES) else f"Student {i:02d}"
            s = User(email=f"s{i}@bench.test", name=name, role=Role.STUDENT, mentor_id=mentor.id)
            s.set_password(PASSWORD)
            db.session.add(s)
            db.session.flush()
            ids.append(s.id)
        for title in ("Ben submitted an entry", "Chloe completed a task", "New student: Dev Patel"):
            db.session.add(Notification(user_id=mentor.id, type="entry_created", title=title, body="", data={}))
        db.session.commit()
        return mentor.email, ids


def post_crisis(base, student_id, message, timeout=10):
    body = {"student_id": student_id, "message": message, "intent": "crisis", "confidence": 0.93}
    answer = requests.post(
        f"{base}/api/v1/chatbot/intents", json=body, headers={"X-Chatbot-Key": CHATBOT_KEY}, timeout=timeout
    )
    answer.raise_for_status()
    return answer.json()["alert"]["id"]


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector('#live-status[data-state="live"]')
    page.wait_for_load_state("networkidle")


def assets(page):
    """Our scripts and stylesheets on this page: (count, bytes, gzip bytes of their bodies,
    bytes this load actually transferred: 0 for what came from the browser's cache)."""
    entries = page.evaluate(
        """() => performance.getEntriesByType("resource")
            .filter((e) => /\\.(js|css)(\\?|$)/.test(e.name))
            .map((e) => ({name: e.name, transfer: e.transferSize}))"""
    )
    bodies = [requests.get(e["name"], timeout=10).content for e in entries]
    raw = sum(len(b) for b in bodies)
    gz = sum(len(gzip.compress(b, 6)) for b in bodies)
    return len(entries), raw, gz, sum(e["transfer"] for e in entries)


def main():
    from playwright.sync_api import Error, sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--screenshot")
    args = parser.parse_args()

    prepare_database()
    email, student_ids = make_users(args.students)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["wsgi.py"], port=port, async_mode="gevent")
    worker = start(["worker.py", "--no-cron"])
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
            page = context.new_page()
            sign_in(page, email)
            # A first load: a new context (empty cache) with the same session cookie; the
            # transferred bytes are what went over the wire (compressed if the server did).
            fresh = browser.new_context(base_url=base, storage_state=context.storage_state())
            first = fresh.new_page()
            first.goto("/mentor")
            first.wait_for_load_state("networkidle")
            count, raw, gz, sent = assets(first)
            first.goto("/mentor")  # a repeat visit: everything cached for a year (immutable)
            first.wait_for_load_state("networkidle")
            again = assets(first)[3]
            fresh.close()
            print(load())
            print(f"JS+CSS first load: {count} files, {raw / 1024:.1f} KB, {gz / 1024:.1f} KB if gzipped (level 6)")
            print(f"JS+CSS first load transferred: {sent / 1024:.1f} KB (headers included)")
            print(f"JS+CSS repeat load: {again / 1024:.1f} KB transferred")

            http = requests.Session()
            for c in context.cookies():
                http.cookies.set(c["name"], c["value"])
            samples = []
            cpu0 = cpu_ms(web)
            for _ in range(args.gets):
                started = time.perf_counter()
                assert http.get(f"{base}/mentor", timeout=10).status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            cpu = (cpu_ms(web) - cpu0) / args.gets
            report(f"GET /mentor ({args.students} students)", samples)
            print(f"{'  web process CPU per request (mean)':<44} {cpu:7.2f} ms  ({load()})")

            if args.screenshot:
                post_crisis(base, student_ids[0], "I can't do this anymore, I keep thinking about ending it all")
                post_crisis(base, student_ids[2], "nobody would care if I was gone")
                page.goto("/mentor")
                page.wait_for_load_state("networkidle")
                page.locator("#bell-button").click()
                page.wait_for_selector("#inbox-list [data-testid=inbox-item]")
                page.wait_for_timeout(300)  # the dropdown's fade
                page.screenshot(path=args.screenshot)
                print(f"screenshot: {args.screenshot}")

            page.goto("/mentor")
            page.wait_for_load_state("networkidle")
            # Three alerts stay open (the banner renders them on every refresh). The first
            # crisis check of the web process loads the detection model (seconds on a loaded
            # machine): timed apart, so the posts below are the steady state.
            standing = student_ids[-3:]
            for n, student_id in enumerate(standing):
                started = time.perf_counter()
                alert_id = post_crisis(base, student_id, "I keep thinking about ending it all", timeout=120)
                page.wait_for_selector(f'#crisis-banner [data-alert-id="{alert_id}"]', timeout=120_000)
                if n == 0:
                    cold = (time.perf_counter() - started) * 1000
                    print(f"first crisis POST -> banner visible (cold: the model loads): {cold:.0f} ms")
            # Each measured alert is for a student without an open one (else the message joins
            # that alert) and is resolved after, so every post is a new alert on the banner.
            token = requests.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
            api = {"Authorization": f"Bearer {token.json()['access_token']}"}
            others = student_ids[:-3]
            delays = []
            for i in range(args.posts):
                message = "I don't want to be here anymore, I keep thinking about ending it"
                started = time.perf_counter()
                alert_id = post_crisis(base, others[i % len(others)], message)
                selector = f'#crisis-banner [data-alert-id="{alert_id}"]'
                page.wait_for_selector(selector, state="visible")
                delays.append((time.perf_counter() - started) * 1000)
                resolved = requests.post(
                    f"{base}/api/v1/mentor/alerts/{alert_id}/resolve",
                    json={"note": "bench", "outcome": "false_alarm"},
                    headers=api,
                    timeout=30,
                )
                resolved.raise_for_status()
                page.wait_for_selector(selector, state="detached")
            report("crisis POST -> banner visible", delays)
            print(f"  ({load()})")
            browser.close()
    except Error as err:
        raise SystemExit(f"Chromium: {err}") from None
    finally:
        web.terminate()
        worker.terminate()


if __name__ == "__main__":
    main()
