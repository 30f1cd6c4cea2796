"""prd/ts_multidim_serve.py: either payload orientation in, plain JSON out, ValueError if bad."""

from __future__ import annotations

import json

import numpy as np
import pytest
from logistics.fleet.signals import hump_shape
from workspace.model_api import prediction_context

SIGNALS = ("iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4")


@pytest.fixture(scope="module")
def endpoint(load_entry_point):
    module = load_entry_point("ts_multidim_serve.py")
    module.warmup()
    return module


@pytest.fixture(scope="module")
def columns() -> dict[str, list[float]]:
    """Four noisy signals with the injected hump at minutes 20 and 140 and a spike at 100."""
    rng = np.random.default_rng(8)
    data = {s: rng.normal(scale=0.2, size=200) + 50 for s in SIGNALS}
    for start in (20, 140):
        for s in SIGNALS:
            data[s][start : start + 30] += 2.0 * hump_shape()
    data["iot_signal_3"][100] += 9.0
    return {s: v.round(4).tolist() for s, v in data.items()}


def test_column_oriented_request_gets_motifs_discords_and_scores(endpoint, columns) -> None:
    with prediction_context() as ctx:
        answer = endpoint.multi_dim_motif({**columns, "m": 30})
    json.dumps(answer, allow_nan=False)  # plain JSON, no NaN
    assert answer["m"] == 30 and answer["length"] == 200
    assert set(answer["signals"]) == set(SIGNALS)
    first, second = sorted(answer["multi_dim_motif"]["indices"])
    assert abs(first - 20) <= 10 and second - first == 120  # the two humps, same offset
    a, b = sorted(answer["signals"]["iot_signal_1"]["motif_indices"][:2])
    assert abs(a - 20) < 30 and abs(b - 140) < 30  # windows overlapping the two humps
    spike = answer["signals"]["iot_signal_3"]["discord_indices"][0]
    assert 100 - 29 <= spike <= 100
    assert len(answer["signals"]["iot_signal_4"]["anomaly_scores"]) == 200 - 30 + 1
    assert ctx.metrics["input"]["m"] == 30


def test_upstream_row_oriented_payload_gives_the_same_answer(endpoint, columns) -> None:
    rows = {str(i): {s: columns[s][i] for s in SIGNALS} for i in range(200)}
    shuffled = dict(reversed(list(rows.items())))
    assert endpoint.multi_dim_motif({**shuffled, "m": 30}) == endpoint.multi_dim_motif(
        {**columns, "m": 30}
    )


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"iot_signal_1": [1.0] * 50}, "at least two"),
        ({"iot_signal_1": [1.0] * 50, "iot_signal_2": [1.0] * 49}, "same number"),
        ({"iot_signal_1": [1.0] * 50, "speed": [1.0] * 50}, "speed"),
        ({"iot_signal_1": [1.0, None, 2.0], "iot_signal_2": [1.0, 2.0, 3.0]}, r"iot_signal_1\[1\]"),
        ({"iot_signal_1": list(range(40)), "iot_signal_2": list(range(40)), "m": 30}, "m must"),
        ({"iot_signal_1": list(range(40)), "iot_signal_2": list(range(40)), "m": 0}, "m must"),
        ({"0": {"iot_signal_1": 1, "iot_signal_2": 2}, "x": {"iot_signal_1": 1}}, "row"),
        ("iot_signal_1", "request"),
    ],
)
def test_bad_requests_raise_value_error_naming_the_field(endpoint, request_body, field) -> None:
    with pytest.raises(ValueError, match=field):
        endpoint.multi_dim_motif(request_body)
