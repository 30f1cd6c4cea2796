"""Flags of the numbered scripts and the one-line user errors they end in."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from logistics.lakehouse import TableNotFound
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    add_concurrency_flag,
    add_fleet_flags,
    add_model_flags,
    add_resource_flags,
    comma_list,
    exit_on_user_error,
    fail,
    positive_float,
    positive_int,
    resources_from_flags,
    utc_time,
)

LIB = Path(__file__).resolve().parents[2] / "lib"


def deployment_parser() -> LabArgumentParser:
    parser = LabArgumentParser(prog="step")
    add_model_flags(parser, project="logistics-prd", model="TimeSeriesQuery")
    add_resource_flags(parser)
    add_concurrency_flag(parser, default=8)
    return parser


def test_deployment_flags_default_to_one_small_replica() -> None:
    args = deployment_parser().parse_args([])
    assert (args.project, args.model) == ("logistics-prd", "TimeSeriesQuery")
    assert (args.cpu, args.memory, args.replicas, args.concurrency) == (1.0, 2.0, 1, 8)


def test_resource_flags_read_back_as_a_deployments_resources() -> None:
    args = deployment_parser().parse_args(["--cpu", "0.5", "--memory", "1", "--replicas", "3"])
    assert resources_from_flags(args) == {"cpu": 0.5, "memory": 1.0, "replicas": 3}


def test_mlflow_steps_name_the_classifier_with_model_name() -> None:
    parser = LabArgumentParser(prog="step")
    add_classifier_flags(parser, model_help="served model name")
    add_resource_flags(parser, replicas=2)
    args = parser.parse_args(["--model-name", "Other"])
    assert (args.project, args.model_name, args.replicas) == ("logistics-mlflow", "Other", 2)


def test_fleet_flags_refuse_an_empty_fleet(capsys) -> None:
    parser = LabArgumentParser(prog="datagen")
    add_fleet_flags(parser, devices=20, days=1, seed=21)
    args = parser.parse_args(["--days", "3"])
    assert (args.devices, args.days, args.seed) == (20, 3, 21)
    with pytest.raises(SystemExit):
        parser.parse_args(["--devices", "0"])
    assert "--devices" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--replicas", "0"], ["--concurrency", "-1"], ["--cpu", "x"]])
def test_a_bad_resource_flag_ends_in_one_line_and_exit_2(flags, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        deployment_parser().parse_args(flags)
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and flags[0] in lines[0]


def test_positive_types_refuse_zero_and_words() -> None:
    assert positive_int("3") == 3 and positive_float("0.5") == 0.5
    for bad in ("0", "-2", "many"):
        with pytest.raises(argparse.ArgumentTypeError, match=r"must be > 0|is not"):
            positive_int(bad)


def test_times_without_an_offset_are_utc_and_others_are_converted() -> None:
    assert utc_time("2026-01-05T12:00:00") == datetime(2026, 1, 5, 12, tzinfo=UTC)
    assert utc_time("2026-01-05T14:00:00+02:00") == datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_comma_lists_drop_empty_items() -> None:
    assert comma_list("device-0001,device-0002,") == ["device-0001", "device-0002"]


class ClientRefused(Exception):
    """Stands for a library's own error type, such as the workspace client's."""


@pytest.mark.parametrize(
    "error",
    [
        TableNotFound("table logistics.zones does not exist yet"),
        ValueError("bad"),
        ClientRefused("no"),
    ],
)
def test_user_errors_exit_1_with_their_first_argument(error, capsys) -> None:
    with pytest.raises(SystemExit) as exit_, exit_on_user_error(ClientRefused):
        raise error
    assert exit_.value.code == 1
    assert capsys.readouterr().err == f"error: {error.args[0]}\n"


def test_other_errors_are_not_hidden() -> None:
    with pytest.raises(KeyError), exit_on_user_error():
        raise KeyError("a bug")


def test_fail_prints_on_stderr_and_exits_1(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        fail("error rate 3.0% is above 0.0%")
    assert exit_.value.code == 1
    assert capsys.readouterr() == ("", "error: error rate 3.0% is above 0.0%\n")


def test_script_folder_is_the_script_s_own_folder_or_the_working_one(tmp_path: Path) -> None:
    (tmp_path / "steps").mkdir()
    script = tmp_path / "steps" / "step.py"
    script.write_text("from logistics.script_args import script_folder\nprint(script_folder())\n")
    env = {"PYTHONPATH": str(LIB)}
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert run.stdout.strip() == str(script.parent.resolve()), run.stderr
    inline = "from logistics.script_args import script_folder; print(script_folder())"
    run = subprocess.run(
        [sys.executable, "-c", inline], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert run.stdout.strip() == str(tmp_path.resolve()), run.stderr
