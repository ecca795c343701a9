"""The commands a newcomer types and the logs an operator reads: a bare `flask` without
PULSE_ENV says one sentence, `flask --help` lists our commands, `flask run` says it has no
Socket.IO, the web process's start log gives the docs URL, socket connects are DEBUG lines
and an idle worker's periodic jobs and the chatty libraries are quiet unless LOG_LEVEL=DEBUG."""

import logging
import os
import subprocess
import sys

from tests.conftest import ROOT, child_env, server_log, start_web, stop
from tests.helpers import LiveClient, make_user, token_for

FLASK = [sys.executable, "-m", "flask"]


def flask(*args, **env):
    environment = {k: v for k, v in child_env(**env).items() if k != "PULSE_ENV" or env.get("PULSE_ENV")}
    environment.pop("FLASK_APP", None)  # .flaskenv's, as a newcomer has it
    return subprocess.run([*FLASK, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_a_bare_flask_command_without_pulse_env_says_one_sentence():
    res = flask("seed-demo")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "PULSE_ENV=development flask" in res.stderr


def test_flask_help_lists_the_apps_commands_without_pulse_env():
    res = flask("--help")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    for command in ("users", "seed-demo", "refresh-dashboards", "db"):
        assert f"\n  {command} " in res.stdout, (command, res.stdout)
    assert "PULSE_ENV" in res.stderr  # and why the commands would not run as things are


def test_flask_run_says_it_serves_no_socket_io():
    from tests.conftest import free_port

    environment = {k: v for k, v in child_env().items() if k != "FLASK_APP"}
    proc = subprocess.Popen(
        [*FLASK, "run", "--port", str(free_port())],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stderr.readline()
        while first.startswith(("20", "INFO")):  # the settings' own start lines come first
            first = proc.stderr.readline()
        assert "without Socket.IO" in first and "python wsgi.py" in first, first
    finally:
        proc.kill()
        proc.wait()


def test_socket_connects_are_debug_lines_and_the_start_log_gives_the_docs_url(app):
    with app.app_context():
        token = token_for(make_user())
    for level, shown in (("INFO", False), ("DEBUG", True)):
        proc, url = start_web("gevent", LOG_LEVEL=level)
        try:
            client = LiveClient(url)
            client.connect(token)
            client.close()
        finally:
            stop(proc)
        log = server_log(proc)
        assert f"API docs: {url}/api/v1/docs" in log
        assert ("connected as user" in log) is shown, log[-2000:]


def test_chatty_libraries_speak_at_warning_unless_debug():
    from app.logs import CHATTY, quiet_chatty_libraries

    try:
        quiet_chatty_libraries("INFO")
        assert {logging.getLogger(n).level for n in CHATTY} == {logging.WARNING}
        quiet_chatty_libraries("DEBUG")
        assert {logging.getLogger(n).level for n in CHATTY} == {logging.DEBUG}
    finally:
        quiet_chatty_libraries(os.environ.get("LOG_LEVEL", "INFO"))


def test_a_job_that_found_nothing_to_do_logs_at_debug(app, caplog):
    from app.jobs.base import job

    @job
    def relay_nothing():
        return {"relayed": 0, "pruned": []}

    @job
    def relay_some():
        return {"relayed": 3}

    # The handler on the logger itself: app/logs.py may stop "pulse" from propagating to the
    # root logger (where caplog listens) depending on which app the suite built before.
    logger = logging.getLogger("pulse.jobs")
    logger.addHandler(caplog.handler)
    propagate, logger.propagate = logger.propagate, False  # each record once
    try:
        with app.app_context(), caplog.at_level(logging.INFO, logger="pulse.jobs"):
            relay_nothing()
            relay_some()
    finally:
        logger.removeHandler(caplog.handler)
        logger.propagate = propagate
    lines = [r.getMessage() for r in caplog.records if r.name == "pulse.jobs"]
    assert lines == ["job relay_some done: {'relayed': 3}"]
