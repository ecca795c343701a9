#!/usr/bin/env python3
"""Dev-only: fetch the pinned front-end packages from the npm registry (`npm pack`), copy
the files the pages use into app/static/vendor/ (version in the name) with their licence
files, and rewrite app/static/vendor/manifest.json (package, version, licence, sha256, file).

Run it after changing a pin below: `python scripts/refresh_vendor.py`. Nothing at run time
needs Node or this script: the copies are committed (docs/web.md, "Vendored files").
"""

import hashlib
import json
import pathlib
import shutil
import subprocess
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENDOR = ROOT / "app" / "static" / "vendor"

# (npm package, exact version, licence, [(file in the package, name under vendor/)], licence file)
# htmx stays on 2.0.x: 4.x (npm's `latest`) changed inheritance and error-swap defaults.
PACKAGES = [
    ("htmx.org", "2.0.11", "0BSD", [("package/dist/htmx.min.js", "htmx-{v}.min.js")], "package/LICENSE"),
    (
        "socket.io-client",
        "4.8.4",
        "MIT",
        [("package/dist/socket.io.min.js", "socket.io-{v}.min.js")],
        "package/LICENSE",
    ),
    (
        "bootstrap",
        "5.3.9",
        "MIT",
        [
            ("package/dist/css/bootstrap.min.css", "bootstrap-{v}.min.css"),
            ("package/dist/js/bootstrap.bundle.min.js", "bootstrap-{v}.bundle.min.js"),
        ],
        "package/LICENSE",
    ),
    ("chart.js", "4.6.2", "MIT", [("package/dist/chart.umd.min.js", "chart-{v}.umd.min.js")], "package/LICENSE.md"),
]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(package, version, workdir):
    """The package's tarball from the registry, unpacked into workdir/<package>."""
    out = (
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    target = workdir / package.replace("/", "_")
    with tarfile.open(workdir / out) as tar:
        tar.extractall(target, filter="data")
    return target


def main():
    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / "licenses").mkdir(exist_ok=True)
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for package, version, licence, files, licence_file in PACKAGES:
            unpacked = fetch(package, version, pathlib.Path(tmp))
            for source, name in files:
                dest = VENDOR / name.format(v=version)
                shutil.copyfile(unpacked / source, dest)
                manifest.append(
                    {
                        "package": package,
                        "version": version,
                        "licence": licence,
                        "sha256": sha256(dest),
                        "file": dest.name,
                    }
                )
            licence_dest = VENDOR / "licenses" / f"{package.replace('.', '-')}-{version}.LICENSE.txt"
            shutil.copyfile(unpacked / licence_file, licence_dest)
            manifest.append(
                {
                    "package": package,
                    "version": version,
                    "licence": licence,
                    "sha256": sha256(licence_dest),
                    "file": f"licenses/{licence_dest.name}",
                }
            )
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(manifest)} files and {VENDOR / 'manifest.json'}")


if __name__ == "__main__":
    main()
