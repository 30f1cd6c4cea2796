"""What a build's Python environment costs: a first build that installs its requirements, a later
build of the same files (the environment is reused), and a build with nothing to install.

Starts a real workspace server on a free loopback port with a throw-away LAB_HOME and two
projects holding a one-line model: one with a ``requirements.txt`` (a local one-module wheel, and
``requests`` and ``pandas``, which the lab already has), one without. Each round changes a comment
in the requirements, so its first build makes a new environment, then builds the same files again.
Offline: pip is told to use no index.

    python bench/bench_build_envs.py --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_build_to_answer import start_server
from workspace.client import WorkspaceClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "workspace"))
from local_package import make_wheel  # the tests' one-module wheel

MODEL = "def predict(args):\n    return args\n"


def timed_build(client: WorkspaceClient, project_id: str, model_id: str) -> float:
    t0 = time.perf_counter()
    build = client.create_model_build(
        project_id=project_id, model_id=model_id, file_path="model.py", function_name="predict"
    )
    client.wait_for_build(
        project_id=project_id, model_id=model_id, build_id=build.id, timeout=300, poll=0.02
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="Recipes to time.")
    args = parser.parse_args()
    os.environ["PIP_NO_INDEX"] = "1"  # the server's children inherit it
    times: dict[str, list[float]] = {"first": [], "cached": [], "none": []}
    with tempfile.TemporaryDirectory(prefix="bench-envs-") as tmp:
        home = Path(tmp)
        wheel = make_wheel(home / "wheels", name="bench_probe", source="ANSWER = 1\n")
        for name in ("with", "without"):
            (home / name).mkdir()
            (home / name / "model.py").write_text(MODEL)
        proc, url = start_server(home)
        try:
            key = json.loads((home / "credentials.json").read_text())["api_key"]
            client = WorkspaceClient(url, key)
            with_reqs = client.create_project(
                name="with", template="local", local_path=str(home / "with")
            )
            plain = client.create_project(
                name="without", template="local", local_path=str(home / "without")
            )
            model = client.create_model(project_id=with_reqs.id, name="with")
            plain_model = client.create_model(project_id=plain.id, name="without")
            requirements = home / "projects" / with_reqs.id / "requirements.txt"
            for index in range(args.rounds):
                requirements.write_text(f"# round {index}\n{wheel}\nrequests\npandas\n")
                times["first"].append(timed_build(client, with_reqs.id, model.id))
                times["cached"].append(timed_build(client, with_reqs.id, model.id))
                times["none"].append(timed_build(client, plain.id, plain_model.id))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"create_model_build -> built, {args.rounds} rounds")
    labels = {
        "first": "requirements.txt, first build",
        "cached": "same files, env reused",
        "none": "no requirements",
    }
    for key, label in labels.items():
        values = times[key]
        print(
            f"  {label:<30} median {statistics.median(values):6.2f} s"
            f"   min {min(values):6.2f} s   max {max(values):6.2f} s"
        )
    ratio = statistics.median(times["cached"]) / statistics.median(times["none"])
    print(f"  a reused environment costs {ratio:.2f}x a build without requirements")


if __name__ == "__main__":
    main()
