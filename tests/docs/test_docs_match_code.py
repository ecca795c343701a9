"""Docs that stay true: the settings tables against what config.py reads and its defaults,
and docs/realtime.md's event table against the registry the emitters use."""

import ast
import os
import re

from tests.conftest import ROOT

READERS = ("config.py", "wsgi.py", "app/local_redis.py")  # every file that reads a setting
TABLES = ("docs/configuration.md", "README.md")
ENV_CALLS = {"_env_int", "_env_bool", "_env_list", "get"}


def _read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def _literal(node):
    """The default as you would write it in the environment, or None when not a literal."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):  # app.config["DEFAULT_HOST"]
        import config

        return str(getattr(config.Config, node.slice.value))
    try:
        value = eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}})  # constants only
    except Exception:
        return None
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def settings_read():
    """{setting: {defaults}} read from the environment by the app (TestingConfig's own aside);
    an empty set is "unset by default"."""
    found = {}
    for path in READERS:
        tree = ast.parse(_read(path))
        testing = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "TestingConfig"]
        skip = {id(n) for c in testing for n in ast.walk(c)}
        parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in ENV_CALLS or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            if name == "get" and "environ" not in ast.unparse(node.func):
                continue
            setting = node.args[0].value
            if id(node) in skip and not setting.startswith("TEST_"):  # the suite's own generous values
                continue
            defaults = found.setdefault(setting, set())
            if len(node.args) > 1:
                defaults.add(_literal(node.args[1]))
            parent = parents.get(id(node))
            if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) and parent.values[-1] is not node:
                defaults.add(_literal(parent.values[-1]))  # os.environ.get("X") or "default"
    return found


def documented(path):
    """{setting: default cell} from the path's `| setting | default | meaning |` tables."""
    rows, in_table = {}, False
    for line in _read(path).splitlines():
        if line.startswith("| setting | default |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if in_table and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
                assert name not in rows, f"{path}: {name} is documented twice"
                rows[name] = cells[1]
    return rows


def test_configuration_md_names_every_setting_and_nothing_else():
    read, docs = settings_read(), documented("docs/configuration.md")
    assert sorted(set(read) - set(docs)) == [], "read by the app but not in docs/configuration.md"
    assert sorted(set(docs) - set(read)) == [], "in docs/configuration.md but read by nothing"


def test_every_documented_default_is_the_one_in_the_code():
    read = settings_read()
    for path in TABLES:
        for name, cell in documented(path).items():
            assert name in read, f"{path}: {name} is read by nothing"
            defaults = read[name] - {None}
            if not defaults:
                assert "unset" in cell, f"{path}: {name} has no default, the doc says {cell!r}"
            for default in defaults:
                assert f"`{default}`" in cell, f"{path}: {name} defaults to {default!r}, the doc says {cell!r}"


def test_the_environment_defaults_are_as_documented_at_run_time(monkeypatch):
    """The two the issue found wrong, checked in the running code as well."""
    import config

    monkeypatch.delenv("PULSE_ENV", raising=False)
    assert config.get_config() is config.ProductionConfig
    assert config.Config.DEFAULT_HOST == "127.0.0.1"


# -- events --------------------------------------------------------------------------------


def documented_events():
    text = _read("docs/realtime.md")
    table = text[text.index("## Events") : text.index("\n## ", text.index("## Events") + 3)]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([a-z_]+(?::[a-zA-Z]+)?)`", line.split(" | ")[0]))
    return names


def test_realtime_md_lists_exactly_the_registered_events():
    from app.services.realtime import events

    assert documented_events() == set(events.ALL)


def test_emitters_name_events_by_their_constant():
    """No event name written out at an emit or record call: they come from events.py."""
    calls = re.compile(r"(?:outbox\.record(?:_to_rooms|_many)?|(?<![\w.])emit|server\.emit)\(\s*\"")
    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "app")):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                with open(path) as f:
                    offenders += [f"{path}: {m.group(0)}" for m in calls.finditer(f.read())]
    assert offenders == []


def test_an_unregistered_event_is_refused(app):
    import pytest

    from app.services.realtime import outbox
    from app.services.realtime.emit import emit

    with app.app_context():
        with pytest.raises(ValueError, match="not a registered event"):
            outbox.record("made:up", "user:1", {})
        with pytest.raises(ValueError, match="not a registered event"):
            emit("made:up", {}, "user:1")


def test_docs_name_only_files_in_the_repository():
    docs = (f"docs/{f}" for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    for path in ("README.md", *docs):
        assert "shared/api-contract.md" not in _read(path), path
