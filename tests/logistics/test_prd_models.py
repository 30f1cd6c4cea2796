"""Each PRD model names an entry point that the PRD project really has."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from logistics.prd_models import MULTI_DIM_MOTIF, PRD_DESCRIPTION, TIME_SERIES_QUERY, PrdModel

PRD_DIR = Path(__file__).resolve().parents[2] / "prd"


@pytest.mark.parametrize("model", [TIME_SERIES_QUERY, MULTI_DIM_MOTIF], ids=lambda m: m.name)
def test_the_entry_point_is_a_function_of_the_prd_project(model: PrdModel) -> None:
    tree = ast.parse((PRD_DIR / model.file_path).read_text())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert model.function_name in functions


def test_a_release_serves_the_snapshot_it_was_built_against() -> None:
    fields = TIME_SERIES_QUERY.release_fields(PRD_DIR, 1234)
    assert fields["environment"] == {"LAB_SNAPSHOT_ID": "1234"}
    assert fields["build"]["file_path"] == "ts_query_serve.py"
    assert fields["project_dir"] == PRD_DIR
    assert fields["project_description"] == PRD_DESCRIPTION


def test_a_release_names_the_training_run_its_predictions_trace_back_to() -> None:
    fields = MULTI_DIM_MOTIF.release_fields(PRD_DIR, 1234, "0123abcd")
    assert fields["environment"] == {"LAB_SNAPSHOT_ID": "1234", "MLFLOW_RUN_ID": "0123abcd"}
