"""Where a client finds its key: its own variables, and the saved admin key only outside user
code (the CLI and scripts of the server's own account)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workspace.client._http import USER_CODE_MARKERS, default_api_key


@pytest.fixture
def saved_admin_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "credentials.json").write_text(json.dumps({"api_key": "admin-key"}))
    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    for name in ("LAB_API_KEY", *USER_CODE_MARKERS):
        monkeypatch.delenv(name, raising=False)
    return "admin-key"


def test_a_script_of_the_servers_account_uses_the_saved_admin_key(saved_admin_key) -> None:
    assert default_api_key() == saved_admin_key


@pytest.mark.parametrize("variable", ["LAB_API_KEY", "CDSW_APIV2_KEY"])
def test_a_key_of_its_own_wins(saved_admin_key, monkeypatch, variable) -> None:
    monkeypatch.setenv(variable, "own-key")
    assert default_api_key() == "own-key"


@pytest.mark.parametrize("marker", ["LAB_PROJECT_ID", "CDSW_PROJECT_ID"])
def test_user_code_without_a_key_never_falls_back_to_the_admin_key(
    saved_admin_key, monkeypatch, marker
) -> None:
    monkeypatch.setenv(marker, "p1")
    assert default_api_key() is None
