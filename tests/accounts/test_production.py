"""The production profile (DEBUG off, manifest static storage) serves its pages: collectstatic, then real requests."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
STATIC = BASE / "static"


def test_every_source_map_a_static_file_names_is_shipped():
    # The manifest storage rewrites sourceMappingURL to the map's hashed name and fails collectstatic when the
    # map is missing; with DEBUG off every page linking the file then answers 500.
    pattern = re.compile(rb"[#@]\s*sourceMappingURL=([^\s*]+)")
    named = []
    for path in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]:
        for target in pattern.findall(path.read_bytes()):
            named.append(path.parent / target.decode())
    assert named, "the vendored bootstrap files name their maps"
    assert [str(p.relative_to(STATIC)) for p in named if not p.is_file()] == []


def test_vendored_bootstrap_is_byte_identical_to_the_npm_package():
    listed = (STATIC / "vendor" / "bootstrap" / "VERSION").read_text()
    lines = [line.split("  ") for line in listed.splitlines() if re.match(r"[0-9a-f]{64}  ", line)]
    sums = {name: digest for digest, name in lines}
    vendored = {p.name for p in (STATIC / "vendor" / "bootstrap").iterdir() if p.name != "VERSION"}
    assert set(sums) == vendored
    for name, digest in sums.items():
        assert hashlib.sha256((STATIC / "vendor" / "bootstrap" / name).read_bytes()).hexdigest() == digest, name


def test_production_profile_collects_static_files_and_serves_its_pages():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "scripts/check_production.py"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GET /accounts/login/ (anonymous)" in result.stdout
    assert "200 GET / as coordinator" in result.stdout
