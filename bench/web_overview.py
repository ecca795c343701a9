"""The educator's overview page (issue 28): server time of GET /educator from the cache, and
grade PUT through the API -> the figure changed on the open page in Chromium.

Seeds 30 sections x 40 students x 20 exams for one educator (bench/performance.py's seed),
starts one web process and one worker, signs in through /login, then prints:
  - GET /educator (the whole page) and GET /educator/_overview (the live region), warm cache,
  - PUT one grade (API, bearer token) -> the open page's overview region swapped in the
    figures that followed the grade:updated event, measured in Debian's Chromium.
    Each section is written at most once per 2.1 s (outside its coalescing interval).
Usage: .venv/bin/python bench/web_overview.py [--sections 30] [--students 40] [--gets 300] [--writes 60]
"""

import argparse
import os
import re
import time

import psutil
import requests
from common import free_port, prepare_database, report, start  # sets the environment first
from performance import PASSWORD, seed

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS


def sign_in(base):
    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    res = http.post(
        f"{base}/login",
        data={"email": "educator@bench.test", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert res.status_code == 302, res.text
    return http


def cpu_seconds(procs):
    """User + system CPU seconds of the processes and their children so far (the server's side
    of a figure: on a shared machine wall time includes waiting for a core, CPU time does not)."""
    total = 0.0
    for proc in procs:
        p = psutil.Process(proc.pid)
        for one in [p, *p.children(recursive=True)]:
            try:
                t = one.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += t.user + t.system
    return total


def cpu_report(title, procs, before, n):
    """CPU per request or write; `before` is [cpu_seconds([p]) for p in procs] at the start."""
    spent = [cpu_seconds([p]) - b for p, b in zip(procs, before, strict=True)]
    each = " + ".join(f"{name} {s * 1000 / n:.1f}" for name, s in zip(("web", "worker"), spent, strict=False))
    print(f"{title:<44} n={n:<5} server CPU {sum(spent) * 1000 / n:7.2f} ms each ({each} ms)")


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(http, url, n):
    http.get(url).raise_for_status()  # warm
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        res = http.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert res.status_code == 200
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=30)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--exams", type=int, default=20)
    parser.add_argument("--gets", type=int, default=300)
    parser.add_argument("--writes", type=int, default=60)
    args = parser.parse_args()
    prepare_database()
    exams = seed(args.sections, args.students, args.exams)
    port = free_port()
    web, worker = start(["wsgi.py"], port=port), start(["worker.py", "--no-cron"])
    base = f"http://127.0.0.1:{port}"
    try:
        http = sign_in(base)
        print(f"{args.sections} sections x {args.students} students x {args.exams} exams; at start {load()}")
        cpu = [cpu_seconds([web])]
        report("GET /educator (page, cached figures)", timed(http, f"{base}/educator", args.gets))
        cpu_report("  GET /educator", [web], cpu, args.gets + 1)
        cpu = [cpu_seconds([web])]
        report("GET /educator/_overview (region)", timed(http, f"{base}/educator/_overview", args.gets))
        cpu_report("  GET /educator/_overview", [web], cpu, args.gets + 1)
        api = requests.post(f"{base}/api/v1/auth/login", json={"email": "educator@bench.test", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {api.json()['access_token']}"}
        cookie = http.cookies.get("pulse_session")

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=base)
            context.add_cookies([{"name": "pulse_session", "value": cookie, "url": base}])
            page = context.new_page()
            page.goto("/educator")
            page.wait_for_selector('#live-status[data-state="live"]')
            # the region's swaps: computed_at has one-second resolution, so count the swaps instead
            page.evaluate(
                "() => { window.swaps = 0; document.getElementById('overview')"
                ".addEventListener('htmx:afterSettle', () => { window.swaps += 1; }); }"
            )
            section_ids, last, samples = sorted(exams), {}, []
            cpu = [cpu_seconds([web]), cpu_seconds([worker])]
            for i in range(args.writes):
                sid = section_ids[i % len(section_ids)]
                wait = last.get(sid, 0) + 2.1 - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                exam_id, students = exams[sid]
                before = page.evaluate("window.swaps")
                started = time.perf_counter()
                last[sid] = started
                res = requests.put(
                    f"{base}/api/v1/educator/exams/{exam_id}/grades",
                    json=[{"student_id": students[i % len(students)], "score": float(40 + (i * 7) % 60)}],
                    headers=headers,
                )
                assert res.status_code == 200, res.text
                page.wait_for_function(
                    "prev => window.swaps > prev",
                    arg=before,
                    polling="raf",
                    timeout=15_000,
                )
                samples.append((time.perf_counter() - started) * 1000)
            # the writes' CPU: the PUT, the recompute and event (worker), the region's refresh (web)
            cpu_report("grade PUT -> overview changed (server CPU)", [web, worker], cpu, args.writes)
            print(f"  region refreshes per write: {page.evaluate('window.swaps') / args.writes:.2f}")
            browser.close()
        first = len(section_ids)  # a section's first write also sends its at-risk notices
        report("grade PUT -> overview changed in Chromium (all)", samples)
        if len(samples) > first + 1:
            report("  later writes (steady state)", samples[first:])
        print(f"at the end {load()}")
    finally:
        for proc in (web, worker):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
