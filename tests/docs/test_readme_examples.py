"""The README's "A first request and a first socket", run as a reader would: the mentor's
socket first (the Python block), then the shell block posting the crisis, against a real
web process in development mode (the chatbot key the README shows) on seeded demo data."""

import os
import re
import selectors
import subprocess
import sys
import time

from tests.conftest import DATABASE_URL, REDIS_URL, ROOT, start_web, stop

SECTION = "## A first request and a first socket"


def readme_blocks():
    """{language: [code, ...]} of the section's fenced blocks, in order."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    blocks = {}
    for lang, code in re.findall(r"```(\w+)\n(.*?)```", section, re.S):
        blocks.setdefault(lang, []).append(code)
    return blocks


def pointed_at(code, url):
    return code.replace("http://127.0.0.1:5000", url).replace("localhost:5000", url)


def read_until(proc, needle, timeout):
    """Lines of proc's stdout until one contains `needle` (AssertionError after `timeout`)."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if needle in line:
                return lines
    raise AssertionError(f"{needle!r} never came: {lines}")


def test_the_first_request_and_first_socket_work_when_pasted_in_order(app, tmp_path):
    from app.services.demo import seed

    with app.app_context():
        seed.seed()
    blocks = readme_blocks()
    assert set(blocks) == {"python", "sh", "js"} and all(len(b) == 1 for b in blocks.values())
    from config import with_psycopg2

    server, url = start_web(
        "gevent",
        PULSE_ENV="development",  # as `make run`: the development chatbot key of the README
        DATABASE_URL=with_psycopg2(DATABASE_URL),
        REDIS_URL=REDIS_URL,
    )
    listen = tmp_path / "listen.py"
    listen.write_text(pointed_at(blocks["python"][0], url))
    listener = subprocess.Popen(
        [sys.executable, str(listen)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    try:
        read_until(listener, "mentor1 is listening", timeout=30)
        shell = subprocess.run(
            ["bash", "-e", "-c", pointed_at(blocks["sh"][0], url)], capture_output=True, text=True, timeout=60
        )
        assert shell.returncode == 0, shell.stderr
        listed, posted = shell.stdout.strip().splitlines()
        assert '"student1@pulse.test"' in listed and '"crisis":true' in posted, shell.stdout
        lines = read_until(listener, "notification:", timeout=30)
        assert "crisis_alert" in lines[-1], lines
        # The browser version listens to the same event, as the same mentor.
        assert 'socket.on("notification"' in blocks["js"][0] and "mentor1@pulse.test" in blocks["js"][0]
    finally:
        listener.kill()
        listener.wait()
        stop(server)
