"""The vendored front-end files are the ones the manifest names, and no page loads anything
from another host."""

import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATIC = ROOT / "app" / "static"
VENDOR = STATIC / "vendor"
TEMPLATES = ROOT / "app" / "templates"

# An asset loaded from elsewhere: a src/href/action or a CSS url()/@import naming http(s)://.
REMOTE_ASSET = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.I,
)


def test_every_vendored_file_matches_the_manifest():
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert {entry["package"] for entry in manifest} == {"htmx.org", "socket.io-client", "bootstrap", "chart.js"}
    for entry in manifest:
        assert set(entry) == {"package", "version", "licence", "sha256", "file"}
        path = VENDOR / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["file"]
        if not entry["file"].startswith("licenses/"):
            assert entry["version"] in entry["file"]  # versioned names: cached for a year safely
    versions = {entry["package"]: entry["version"] for entry in manifest}
    assert versions["htmx.org"].startswith("2.0.")  # 4.x changed defaults the pages rely on
    assert versions["socket.io-client"].startswith("4.8.")
    assert versions["bootstrap"].startswith("5.3.")
    assert versions["chart.js"].startswith("4.")


def test_every_vendored_file_is_in_the_manifest():
    listed = {entry["file"] for entry in json.loads((VENDOR / "manifest.json").read_text())}
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == listed


def test_no_template_or_static_file_loads_a_remote_asset():
    files = [p for p in TEMPLATES.rglob("*.html")] + [p for p in STATIC.rglob("*") if p.suffix in (".css", ".js")]
    offenders = []
    for path in files:
        text = path.read_text(errors="replace")
        if path.suffix == ".js" and path.parent != VENDOR:
            # our own scripts: no absolute URL at all
            if re.search(r"https?://", text):
                offenders.append(str(path))
        elif REMOTE_ASSET.search(text):
            offenders.append(str(path))
    assert offenders == []
