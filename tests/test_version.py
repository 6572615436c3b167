"""One version, kept in one place (privlex.__version__), that the build, the command and the changelog agree on."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import privlex
from conftest import ROOT


def test_pyproject_reads_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"], "the version lives in compiler/privlex/__init__.py only"
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "compiler/privlex/__init__.py"


def test_the_installed_distribution_has_the_package_version() -> None:
    installed = importlib.metadata.version("privlex")
    assert installed == privlex.__version__, f"privlex {installed} is installed: run `pip install -e .` again"


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    release = re.match(r"\d+\.\d+\.\d+", privlex.__version__)
    assert release is not None, privlex.__version__
    if release.group() == privlex.__version__:  # a release: its own dated section
        assert re.search(rf"^## {re.escape(release.group())} — \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    else:  # a development version: the section of changes to come names the release
        assert f"\n## Unreleased ({release.group()})\n" in changelog
    assert "\n## 0.1.0 — " in changelog
