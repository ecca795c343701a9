"""The house's layers (.importlinter) hold, and the linter really catches a wrong import."""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT = os.path.join(os.path.dirname(sys.executable), "lint-imports")


def _lint(cwd):
    env = dict(os.environ, PYTHONPATH=cwd)
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_every_layer_contract_is_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_service_importing_the_http_layer_breaks_a_contract(tmp_path):
    shutil.copytree(os.path.join(ROOT, "app"), tmp_path / "app", ignore=shutil.ignore_patterns("static", "templates"))
    shutil.copy(os.path.join(ROOT, ".importlinter"), tmp_path / ".importlinter")
    with open(tmp_path / "app" / "services" / "shared" / "cache.py", "a") as f:
        f.write("\nfrom app.api import errors  # noqa: the deliberate wrong import\n")
    result = _lint(str(tmp_path))
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "app.services.shared.cache -> app.api.errors" in result.stdout


def test_a_bus_importing_a_domain_breaks_a_contract(tmp_path):
    shutil.copytree(os.path.join(ROOT, "app"), tmp_path / "app", ignore=shutil.ignore_patterns("static", "templates"))
    shutil.copy(os.path.join(ROOT, ".importlinter"), tmp_path / ".importlinter")
    with open(tmp_path / "app" / "services" / "realtime" / "emit.py", "a") as f:
        f.write("\nfrom app.services.crisis import alerts  # noqa: the deliberate wrong import\n")
    result = _lint(str(tmp_path))
    assert result.returncode != 0
    assert "app.services.realtime.emit -> app.services.crisis.alerts" in result.stdout
