"""The lab's journey 00 → 02 → 03 → 05 → 07 on the team's components: Spark on the standalone
cluster, the Iceberg catalog on PostgreSQL (JDBC) and once more on the REST catalog, the workspace
database on PostgreSQL, the warehouse on S3, and the model replicas on Ray Serve.

Each step runs as a user runs it, a subprocess with the team settings in its environment, against
a workspace server started with the same settings. The fleet is small (3 trucks, 1 day) so the
journey fits in a few minutes; what is proven is where each part ran and that nothing failed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import sqlalchemy
from lab_server import RunningServer, free_port
from logistics.lakehouse import load_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["jdbc", "rest"])
def journey(request, tmp_path_factory, postgres, s3, spark_cluster, ray_head, environment_with):
    """A workspace on PostgreSQL serving on Ray Serve, with the lakehouse on the cluster and the
    catalog of the parameter's kind; yields a step runner."""
    kind = request.param
    home = tmp_path_factory.mktemp(f"journey-{kind}-home")
    port = free_port()
    catalog = (
        request.getfixturevalue("rest_catalog").settings()
        if kind == "rest"
        else {"LAB_CATALOG_URI": postgres.create_database("journey_catalog")}
    )
    settings = {
        **spark_cluster.settings(),
        **s3.settings(),
        "LAB_WAREHOUSE": s3.warehouse(f"journey-{kind}"),
        **catalog,
        "LAB_NAMESPACE": f"journey_{kind}",
        "LAB_DATABASE_URL": postgres.create_database(f"journey_{kind}_workspace"),
        "LAB_SERVING_BACKEND": "ray",
        "LAB_RAY_ADDRESS": ray_head.address,
        "LAB_RAY_SERVE_PORT": str(free_port()),
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "LAB_PORT": str(port),
        "LAB_SAMPLER_INTERVAL_S": "0.5",
        "LAB_METRICS_FLUSH_S": "0.2",
        "LAB_REQUEST_TIMEOUT_S": "30",
    }
    env = environment_with(settings, home)
    server = RunningServer(home, port, env).start(timeout=120)

    def run(script: str, *flags: str, timeout: float = 900) -> str:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(ROOT / script), *flags],
            capture_output=True,
            text=True,
            env={**env, "LAB_API_URL": server.url, "LAB_API_KEY": server.admin_key},
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd=ROOT / Path(script).parent,
        )
        output = result.stdout + result.stderr
        print(f"{script}: {time.monotonic() - started:.0f} s")
        assert result.returncode == 0, f"{script} exited {result.returncode}:\n{output[-4000:]}"
        return output

    run.settings = settings
    yield run
    server.stop()


def test_the_journey_runs_on_the_team_cluster_from_datagen_to_redeployment(
    journey, spark_cluster, lab_settings_of
) -> None:
    datagen = journey("dev/00_datagen.py", "--devices", "3", "--days", "1")
    snapshot = re.search(r"as snapshot (\d+)", datagen).group(1)
    journey("dev/02_model_training.py", "--no-multi-dim")
    deploy = journey("dev/03_model_deployment.py", "--cpu", "0.5", "--memory", "1")
    assert re.search(r"best match of the test pattern: index \d+", deploy), deploy
    assert f"on snapshot {snapshot}" in deploy
    load = journey("prd/05_model_simulation.py", "--count", "60", "--concurrency", "2")
    assert re.search(r"requests  60 \(60 ok, 0 failed", load), load
    redeploy = journey(
        "prd/07_model_redeployment.py",
        "--replicas",
        "2",
        "--cpu",
        "0.5",
        "--memory",
        "1",
        "--seconds",
        "4",
    )
    assert re.search(r"cutover: \d+ requests during the redeploy, 0 failed", redeploy), redeploy

    # Spark ran on the cluster, the workspace kept its records in PostgreSQL, the data is on S3.
    assert {"00_datagen", "02_model_training"} <= set(spark_cluster.application_names())
    engine = sqlalchemy.create_engine(journey.settings["LAB_DATABASE_URL"])
    with engine.connect() as connection:
        names = connection.execute(sqlalchemy.text("SELECT name FROM projects")).scalars().all()
        serving = connection.execute(
            sqlalchemy.text("SELECT id FROM deployments WHERE status = 'deployed'")
        ).scalars()
        serving = set(serving.all())
    engine.dispose()
    assert "logistics-prd" in names
    on_ray = {  # Serve names a replica's worker after its application, our deployment id
        name.removeprefix("ray::ServeReplica:").split(":")[0]
        for name in (" ".join(p.info["cmdline"] or ()) for p in psutil.process_iter(["cmdline"]))
        if name.startswith("ray::ServeReplica:")
    }
    assert serving and serving <= on_ray, f"deployed {serving}, Serve replicas of {on_ray}"
    telemetry = load_table("fleet_telemetry", lab_settings_of(journey.settings))
    assert telemetry.location().startswith("s3://")
    assert str(telemetry.current_snapshot().snapshot_id) == snapshot
