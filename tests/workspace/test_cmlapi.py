"""``cmlapi`` as CML ships it: downloaded from ``/api/v2/python.tar.gz`` without a key, pip
installed into a fresh environment, and DEV 03's flow run through it against the real server;
plus the argument order and errors of the client itself."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import cmlapi
import pytest
import requests
from cmlapi.rest import ApiException
from cmlapi.utils import Cursor
from lab_server import PRD_FILES

FLOW = Path(__file__).with_name("cmlapi_flow.py")


@pytest.fixture(scope="module")
def archive(server) -> bytes:
    resp = requests.get(f"{server.url}/api/v2/python.tar.gz", timeout=10)  # no key
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/gzip"
    return resp.content


def test_the_archive_is_a_source_distribution_of_the_lab_s_cmlapi(archive: bytes):
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = set(tar.getnames())
        root = f"cmlapi-{cmlapi.__version__}"
        pyproject = tar.extractfile(f"{root}/pyproject.toml").read().decode()
        served = tar.extractfile(f"{root}/cmlapi/api.py").read()
    sources = {p.name for p in Path(cmlapi.__file__).parent.glob("*.py")} - {"_build.py"}
    assert names == {f"{root}/cmlapi/{name}" for name in sources} | {
        f"{root}/{name}" for name in ("PKG-INFO", "pyproject.toml", "cmlapi_build.py")
    }
    assert 'name = "cmlapi"' in pyproject and f'version = "{cmlapi.__version__}"' in pyproject
    assert served == Path(cmlapi.__file__).with_name("api.py").read_bytes()


def test_pip_installs_it_and_dev03_s_flow_runs_through_it(server, archive, tmp_path: Path):
    wheel_src = tmp_path / "python.tar.gz"
    wheel_src.write_bytes(archive)
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    pip += [str(wheel_src)]  # isolated and offline: the archive builds with nothing installed
    subprocess.run(pip, check=True, env=env, timeout=120)
    env.update(CDSW_API_URL=f"{server.url}/api/v1", CDSW_APIV2_KEY=server.admin_key)
    done = subprocess.run(
        [str(python), str(FLOW), str(PRD_FILES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["module"].startswith(str(venv))  # the installed copy, not the lab's
    assert seen["deployment"]["status"] == "deployed"
    assert seen["missing"]["status"] == 404
    assert set(seen["missing"]["body"]) >= {"error", "code", "message"}


@pytest.fixture()
def client(server) -> cmlapi.CMLServiceApi:
    return cmlapi.default_client(url=server.url, cml_api_key=server.admin_key)


def test_ids_go_in_cml_s_order_positionally_or_by_name(client, prd):
    by_position = client.get_project(prd.id)
    by_name = client.get_project(project_id=prd.id)
    assert by_position == by_name and by_position.id == prd.id
    with pytest.raises(TypeError, match="missing required arguments: model_id"):
        client.create_model_build({"file_path": "models.py"}, prd.id)
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        client.list_projects(colour="red")
    with pytest.raises(TypeError, match="unexpected fields: nme"):
        cmlapi.CreateModelRequest(nme="x")


def test_an_error_status_raises_api_exception_with_the_spec_body(server, client, prd):
    with pytest.raises(ApiException) as caught:
        client.get_job(prd.id, "no-such-job")
    assert caught.value.status == 404
    assert json.loads(caught.value.body)["code"] == 5  # NOT_FOUND
    stranger = cmlapi.default_client(url=server.url, cml_api_key="not-a-key")
    with pytest.raises(ApiException) as refused:
        stranger.list_projects()
    assert refused.value.status == 401


def test_default_client_reads_cml_s_variables(server, monkeypatch, prd):
    monkeypatch.setenv("CDSW_API_URL", f"{server.url}/api/v1")
    monkeypatch.setenv("CDSW_APIV2_KEY", server.admin_key)
    listing = cmlapi.default_client().list_projects(page_size=1)
    assert len(listing.projects) == 1 and listing.next_page_token
    everything = [p.id for p in Cursor(cmlapi.default_client().list_projects, page_size=1).items()]
    assert prd.id in everything and len(everything) == len(set(everything))
    monkeypatch.delenv("CDSW_APIV2_KEY")
    with pytest.raises(ValueError, match="CDSW_APIV2_KEY"):
        cmlapi.default_client()


def test_a_search_filter_given_as_a_dict_is_sent_as_json(client, prd):
    """CML's notebooks pass ``search_filter={"kernel": ...}`` without ``json.dumps``."""
    found = client.list_projects(search_filter={"owner.username": "admin", "name": prd.name})
    assert prd.id in [p.id for p in found.projects]
