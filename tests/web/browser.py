"""Browser fixtures: a real web process (gevent) and worker for the session, Debian's
Chromium driven by Playwright, one browser context per simulated person.

    def test_x(site, people):
        mentor = factories.mentor()
        page = people.new().sign_in(mentor)         # a person, signed in through /login
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

Every person's page fails the test on any console error or page error (unless the test
said it expects one: person.expect_console(r"status of 403")), and any request to a host
other than 127.0.0.1 is blocked and fails the test. docs/web.md, "Browser tests".
"""

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest

from tests.conftest import start_web, stop, wait_for_worker
from tests.helpers import PASSWORD

CHROMIUM = os.environ.get("PULSE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def site(app):
    """The base URL of a real web process (gevent), for the whole session. The database and
    Redis are the tests' own: clean_state empties them between tests as for every test."""
    proc, url = start_web("gevent")
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def site_worker(site):
    """A real RQ worker (with its scheduler) beside the web process, for the session: pages
    whose actions enqueue jobs (notifications, crisis escalation) need it."""
    import subprocess
    import sys

    from config import TestingConfig
    from tests.conftest import REDIS_URL, ROOT, child_env

    proc = subprocess.Popen(
        [sys.executable, "worker.py", "--no-cron"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_worker(proc, REDIS_URL, TestingConfig.PULSE_NAMESPACE)
    yield proc
    stop(proc)


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium, headless, through Playwright (which cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Person:
    """One simulated person: their own browser context (cookies, storage), one page, and
    everything that went wrong in it."""

    def __init__(self, browser, base_url, storage_state=None):
        self.base_url = base_url
        # Reduced motion: Bootstrap then skips its transitions, so an accessibility scan never
        # reads a button's colours halfway through a hover fade (a false contrast failure).
        self.context = browser.new_context(base_url=base_url, storage_state=storage_state, reduced_motion="reduce")
        self.context.set_default_timeout(10_000)
        self.problems = []
        self.expected = []
        self.context.route("**/*", self._only_local)
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda msg: self._console(msg))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        return page

    def _only_local(self, route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            return route.continue_()
        self.problems.append(f"request to another host: {route.request.url}")
        return route.abort()

    def _console(self, msg):
        if msg.type != "error":
            return
        if any(re.search(pattern, msg.text) for pattern in self.expected):
            return
        self.problems.append(f"console error: {msg.text}")

    def expect_console(self, pattern):
        """A console error matching `pattern` is part of what this test does (a 4xx page)."""
        self.expected.append(pattern)

    def sign_in(self, user, password=PASSWORD, then=None):
        """Sign in through the login page as a person does; returns the page at their home."""
        page = self.page
        page.goto("/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(re.escape(then or f"/{user.role.value}") + r"$"))
        return page

    def wait_live(self, page=None):
        """Until the page's socket is connected (the indicator says Live)."""
        page = page or self.page
        page.wait_for_selector('#live-status[data-state="live"]')
        return page

    def storage_state(self):
        return self.context.storage_state()

    def close(self):
        self.context.close()


class People:
    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.all = browser, base_url, []

    def new(self, storage_state=None):
        """Another person (or, with `storage_state`, another browser of the same session)."""
        person = Person(self.browser, self.base_url, storage_state)
        self.all.append(person)
        return person


@pytest.fixture
def people(chromium, site):
    """Make simulated people; at the end, any console error or foreign request fails the test."""
    crowd = People(chromium, site)
    yield crowd
    problems = [p for person in crowd.all for p in person.problems]
    for person in crowd.all:
        person.close()
    assert problems == [], problems


def axe_violations(page):
    """Serious and critical accessibility violations on the page (axe-core, bundled by
    axe-playwright-python), as readable strings."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
