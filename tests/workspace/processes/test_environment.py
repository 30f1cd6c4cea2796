"""Every child of user code gets one environment: project variables, then the workspace's own,
under their ``LAB_*`` names and the names CML code reads."""

from __future__ import annotations

import os

from workspace.core.config import WorkspaceSettings
from workspace.processes.environment import LIB_DIR, ProjectIdentity, child_environment

PRD = ProjectIdentity(id="p1", name="CML MLOps Logistics PRD - ana", owner="ana")


def _settings(tmp_path, **fields) -> WorkspaceSettings:
    return WorkspaceSettings(home=tmp_path, port=9999, **fields)


def test_later_layers_win_and_the_workspace_variables_win_over_all(tmp_path):
    env = child_environment(
        _settings(tmp_path),
        project=PRD,
        api_key="child-key",
        layers=[
            {"A": "project", "LAB_PROJECT_ID": "spoofed", "CDSW_PROJECT": "spoofed"},
            {"A": "run", "PROJECT_OWNER": "mallory"},
        ],
        owned={"LAB_MODEL_CRN": "crn:model"},
        base={"A": "server", "PATH": "/bin"},
    )
    assert env["A"] == "run"
    assert env["LAB_PROJECT_ID"] == "p1"
    assert (env["CDSW_PROJECT"], env["PROJECT_OWNER"]) == (PRD.name, "ana")
    assert env["LAB_API_URL"] == "http://127.0.0.1:9999"
    assert env["LAB_API_KEY"] == "child-key"
    assert env["LAB_MODEL_CRN"] == "crn:model"
    assert env["PATH"] == "/bin"


def test_a_child_sees_the_variables_cml_sets_in_every_engine(tmp_path):
    env = child_environment(
        _settings(tmp_path), project=PRD, api_key="child-key", layers=[], base={}
    )
    assert env["CDSW_PROJECT_ID"] == "p1"
    assert env["CDSW_PROJECT"] == "CML MLOps Logistics PRD - ana"
    assert env["PROJECT_OWNER"] == "ana"
    assert env["CDSW_APIV2_KEY"] == env["LAB_API_KEY"] == "child-key"
    assert env["CDSW_DOMAIN"] == "127.0.0.1:9999"
    # CML's form: v1 in the variable, v2 (where the workspace answers) derived from it
    assert env["CDSW_API_URL"] == "http://127.0.0.1:9999/api/v1"
    assert env["CDSW_API_URL"][:-1] + "2" == env["LAB_API_URL"] + "/api/v2"


def test_the_cml_variables_follow_the_url_clients_are_given(tmp_path):
    settings = _settings(tmp_path, api_url="http://lab.internal:8443/")
    env = child_environment(settings, project=PRD, api_key=None, layers=[], base={})
    assert env["CDSW_API_URL"] == "http://lab.internal:8443/api/v1"
    assert env["CDSW_DOMAIN"] == "lab.internal:8443"


def test_the_servers_own_key_never_reaches_a_child_without_one(tmp_path):
    env = child_environment(
        _settings(tmp_path),
        project=PRD,
        api_key=None,
        layers=[],
        base={"LAB_API_KEY": "x", "CDSW_APIV2_KEY": "y"},
    )
    assert "LAB_API_KEY" not in env
    assert "CDSW_APIV2_KEY" not in env


def test_the_servers_database_url_never_reaches_a_child(tmp_path):
    env = child_environment(
        _settings(tmp_path),
        project=PRD,
        api_key="child-key",
        layers=[],
        base={"LAB_DATABASE_URL": "postgresql://workspace:secret@127.0.0.1/workspace"},
    )
    assert "LAB_DATABASE_URL" not in env


def test_a_project_may_name_its_own_mlflow_server(tmp_path):
    settings = _settings(tmp_path)
    own = child_environment(
        settings,
        project=PRD,
        api_key=None,
        layers=[{"MLFLOW_TRACKING_URI": "http://mlflow.team:5000"}],
        base={},
    )
    default = child_environment(settings, project=PRD, api_key=None, layers=[], base={})
    assert own["MLFLOW_TRACKING_URI"] == "http://mlflow.team:5000"
    assert default["MLFLOW_TRACKING_URI"] == settings.mlflow_tracking_uri


def test_the_labs_own_lib_comes_first_on_the_path(tmp_path):
    env = child_environment(
        _settings(tmp_path), project=PRD, api_key=None, layers=[], base={"PYTHONPATH": "/x"}
    )
    assert env["PYTHONPATH"].split(os.pathsep) == [LIB_DIR, "/x"]


def test_only_allow_listed_variables_of_the_server_reach_a_child(tmp_path):
    server = {
        "PATH": "/bin",
        "LANG": "C.UTF-8",
        "LC_TIME": "de_DE",
        "SPARK_MASTER": "local[2]",
        "LAB_CATALOG_URI": "sqlite:///catalog.db",
        "LAB_WAREHOUSE": "/warehouse",
        "AWS_SECRET_ACCESS_KEY": "lake-secret",
        "LAB_DATABASE_URL": "postgresql://workspace:pw@db/workspace",
        "LAB_API_KEY": "server-key",
        "LAB_RUN_AS_USER": "labjobs",
        "GITHUB_TOKEN": "ghp_server",
        "LD_PRELOAD": "/lib/evil.so",
    }
    env = child_environment(
        _settings(tmp_path), project=PRD, api_key="child-key", layers=[], base=server
    )
    passed = {"PATH", "LANG", "LC_TIME", "SPARK_MASTER", "LAB_CATALOG_URI", "LAB_WAREHOUSE"}
    assert {name: env[name] for name in passed} == {name: server[name] for name in passed}
    assert env["AWS_SECRET_ACCESS_KEY"] == "lake-secret"  # the lakehouse's, not the workspace's
    for name in ("LAB_DATABASE_URL", "LAB_RUN_AS_USER", "GITHUB_TOKEN", "LD_PRELOAD"):
        assert name not in env, name
    assert env["LAB_API_KEY"] == "child-key"


def test_a_child_gets_the_home_it_is_given(tmp_path):
    env = child_environment(
        _settings(tmp_path), project=PRD, api_key=None, layers=[], base={}, home=tmp_path
    )
    assert env["HOME"] == str(tmp_path)
