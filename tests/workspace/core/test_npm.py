"""Offline npm packages: what is fetched is found, what is not says how to fetch it."""

from __future__ import annotations

from pathlib import Path

import pytest
from workspace.core import npm
from workspace.core.npm import NpmFile, WebAssetsMissing


def test_a_fetched_package_is_found_and_not_fetched_again(tmp_path: Path, monkeypatch) -> None:
    target = npm.package_dir(NpmFile("@scope/widget", "1.0.0", ""), tmp_path)
    (target / "dist").mkdir(parents=True)
    (target / "dist" / "widget.js").write_text("//")
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm: nothing may need it
    file = NpmFile("@scope/widget", "1.0.0", "dist/widget.js")
    assert npm.fetch([file], tmp_path) == ["@scope/widget@1.0.0"]
    assert npm.package_file(file, tmp_path) == target / "dist" / "widget.js"
    assert npm.package_file(NpmFile("@scope/widget", "1.0.0", "nope.js"), tmp_path) is None


def test_without_npm_a_missing_package_says_how_to_get_npm(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(WebAssetsMissing, match=r"npm not found: install Node\.js"):
        npm.fetch([NpmFile("left-pad", "1.3.0", "index.js")], tmp_path)


def test_the_command_fails_in_one_line_naming_the_problem(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert npm.main(["--root", str(tmp_path), "left-pad@1.3.0"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: npm not found: install Node.js (apt-get install npm) and rerun"
    ]
