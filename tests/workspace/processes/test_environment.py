"""Every child of user code gets one environment: project variables, then the workspace's own."""

from __future__ import annotations

import os

from workspace.core.config import WorkspaceSettings
from workspace.processes.environment import LIB_DIR, child_environment


def _settings(tmp_path) -> WorkspaceSettings:
    return WorkspaceSettings(home=tmp_path, port=9999)


def test_later_layers_win_and_the_workspace_variables_win_over_all(tmp_path):
    env = child_environment(
        _settings(tmp_path),
        project_id="p1",
        api_key="child-key",
        layers=[{"A": "project", "LAB_PROJECT_ID": "spoofed"}, {"A": "run"}],
        owned={"LAB_MODEL_CRN": "crn:model"},
        base={"A": "server", "PATH": "/bin"},
    )
    assert env["A"] == "run"
    assert env["LAB_PROJECT_ID"] == "p1"
    assert env["LAB_API_URL"] == "http://127.0.0.1:9999"
    assert env["LAB_API_KEY"] == "child-key"
    assert env["LAB_MODEL_CRN"] == "crn:model"
    assert env["PATH"] == "/bin"


def test_the_servers_own_key_never_reaches_a_child_without_one(tmp_path):
    env = child_environment(
        _settings(tmp_path), project_id="p1", api_key=None, layers=[], base={"LAB_API_KEY": "x"}
    )
    assert "LAB_API_KEY" not in env


def test_a_project_may_name_its_own_mlflow_server(tmp_path):
    settings = _settings(tmp_path)
    own = child_environment(
        settings,
        project_id="p",
        api_key=None,
        layers=[{"MLFLOW_TRACKING_URI": "http://mlflow.team:5000"}],
        base={},
    )
    default = child_environment(settings, project_id="p", api_key=None, layers=[], base={})
    assert own["MLFLOW_TRACKING_URI"] == "http://mlflow.team:5000"
    assert default["MLFLOW_TRACKING_URI"] == settings.mlflow_tracking_uri


def test_the_labs_own_lib_comes_first_on_the_path(tmp_path):
    env = child_environment(
        _settings(tmp_path), project_id="p", api_key=None, layers=[], base={"PYTHONPATH": "/x"}
    )
    assert env["PYTHONPATH"].split(os.pathsep) == [LIB_DIR, "/x"]
