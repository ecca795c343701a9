"""WEB_MAX_CONNECTIONS from the container's memory: fake cgroup v1 and v2 trees in a
temporary directory, and the start-up warning when a cap set by hand cannot fit."""

import logging

import pytest

from app.memory_budget import (
    BASE_BYTES,
    CEILING,
    FLOOR,
    KB,
    MB,
    fitting_connections,
    memory_limit,
    resolve_max_connections,
)


def _tree(tmp_path, files, own="0::/\n"):
    for rel, text in files.items():
        path = tmp_path / "cgroup" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "self-cgroup").write_text(own)
    return {"root": str(tmp_path / "cgroup"), "proc_cgroup": str(tmp_path / "self-cgroup")}


def test_cgroup_v2_memory_max(tmp_path):
    assert memory_limit(**_tree(tmp_path, {"memory.max": "536870912\n"})) == 512 * MB


def test_cgroup_v2_own_group_wins_over_the_root(tmp_path):
    files = {"memory.max": "max\n", "dyno/web.1/memory.max": "1073741824\n"}
    assert memory_limit(**_tree(tmp_path, files, own="0::/dyno/web.1\n")) == 1024 * MB


def test_cgroup_v1_limit_in_bytes(tmp_path):
    files = {"memory/memory.limit_in_bytes": "536870912\n"}
    own = "4:memory:/\n1:cpu,cpuacct:/\n"
    assert memory_limit(**_tree(tmp_path, files, own=own)) == 512 * MB


def test_cgroup_v1_own_group(tmp_path):
    files = {
        "memory/memory.limit_in_bytes": "9223372036854771712\n",
        "memory/docker/abc/memory.limit_in_bytes": "268435456\n",
    }
    assert memory_limit(**_tree(tmp_path, files, own="4:memory:/docker/abc\n")) == 256 * MB


@pytest.mark.parametrize(
    "files",
    [{"memory.max": "max\n"}, {"memory/memory.limit_in_bytes": "9223372036854771712\n"}, {}],
    ids=["v2-unlimited", "v1-unlimited", "no-cgroup"],
)
def test_no_limit(tmp_path, files):
    assert memory_limit(**_tree(tmp_path, files)) is None


def test_what_fits_on_each_dyno_size():
    # standard-1X (512 MB), standard-2X (1 GB), performance-M (2.5 GB), no limit
    assert fitting_connections(512 * MB, "gevent") == (512 * MB - BASE_BYTES) // (62 * KB) == 5813
    assert fitting_connections(512 * MB, "eventlet") == (512 * MB - BASE_BYTES) // (165 * KB) == 2184
    assert fitting_connections(1024 * MB, "gevent") == CEILING  # 14,269 fit: the ceiling holds
    assert fitting_connections(1024 * MB, "eventlet") == 5362
    assert fitting_connections(2560 * MB, "eventlet") == CEILING
    assert fitting_connections(None, "gevent") == CEILING
    assert fitting_connections(128 * MB, "gevent") == FLOOR  # less than the process itself


def test_a_cap_set_by_hand_is_kept_and_warned_about_when_it_cannot_fit():
    cap, warning = resolve_max_connections(10000, "gevent", 512 * MB)
    assert cap == 10000 and "cannot fit" in warning and "512 MB" in warning and "5813" in warning
    assert resolve_max_connections(3000, "gevent", 512 * MB) == (3000, None)
    assert resolve_max_connections(None, "gevent", 512 * MB) == (5813, None)
    assert resolve_max_connections(10000, "gevent", None) == (10000, None)


def test_the_app_settles_the_cap_and_warns_at_start(make_app, monkeypatch, caplog):
    from flask import Flask

    from app import memory_budget, resolve_connection_cap

    monkeypatch.setattr(memory_budget, "memory_limit", lambda: 512 * MB)  # a standard-1X dyno
    app = make_app(WEB_MAX_CONNECTIONS=None, SOCKETIO_ASYNC_MODE="eventlet")
    assert app.config["WEB_MAX_CONNECTIONS"] == 2184

    # the suite's alembic run (logging.fileConfig) disabled the loggers that existed by then
    monkeypatch.setattr(logging.getLogger("pulse"), "disabled", False)
    web = Flask("web")  # the web process (REALTIME_SERVER) is the one that warns
    web.config.update(WEB_MAX_CONNECTIONS=10000, SOCKETIO_ASYNC_MODE="gevent", REALTIME_SERVER=True)
    with caplog.at_level(logging.WARNING):
        logging.getLogger("pulse").addHandler(caplog.handler)
        try:
            resolve_connection_cap(web)
        finally:
            logging.getLogger("pulse").removeHandler(caplog.handler)
    assert web.config["WEB_MAX_CONNECTIONS"] == 10000
    assert any("cannot fit" in r.getMessage() for r in caplog.records)
