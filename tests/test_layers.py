"""The layers of README's Architecture section, as import-linter checks them in CI: `make test` fails on a
violation too. The contracts are the ones in pyproject.toml; imports inside functions count."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["civunit", "campaign", "tasks", "evidence"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (a fixed command on files of this repository)
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd), "COLUMNS": "200"},
        check=False,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.fixture
def project_copy(tmp_path):
    """The Python sources and the contracts, copied so that a test can add an import the rules forbid."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "templates", "static"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("module", "imported", "message"),
    [
        ("civunit/access.py", "evidence.models", "civunit.access is not allowed to import evidence"),
        ("civunit/accounts/admin.py", "tasks.services", "civunit.accounts is not allowed to import tasks"),
        ("civunit/notifications/services.py", "campaign.models", "civunit.notifications is not allowed to import"),
        ("campaign/views.py", "tasks.models", "campaign is not allowed to import tasks"),
        ("tasks/selectors.py", "evidence.models", "tasks is not allowed to import evidence"),
        ("evidence/selectors.py", "civunit.reports.selectors", "evidence is not allowed to import civunit.reports"),
        ("civunit/navigation.py", "civunit.reports.views", "navigation is not allowed to import civunit.reports"),
    ],
)
def test_an_upward_import_inside_a_function_breaks_a_contract(project_copy, module, imported, message):
    path = project_copy / module
    path.write_text(path.read_text() + f"\n\ndef _reach_up():\n    import {imported}\n\n    return {imported}\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout
