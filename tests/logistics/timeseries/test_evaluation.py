"""Scoring motifs against the injected ground truth: every occurrence counts, per signal."""

from __future__ import annotations

import pandas as pd
from logistics.timeseries.evaluation import motif_hit_rate, motif_occurrences, score_motifs

START = pd.Timestamp("2026-01-05T00:00:00Z")


def _at(minute: int) -> pd.Timestamp:
    return START + pd.Timedelta(minutes=minute)


def _event(device: str, start: int, length: int, kind: str, name: str) -> dict[str, object]:
    return {
        "device_id": device,
        "start_ts": _at(start),
        "end_ts": _at(start + length - 1),
        "kind": kind,
        "name": name,
        "signal": "all",
    }


EVENTS = pd.DataFrame(
    [
        _event("device-0001", 100, 30, "motif", "hump"),
        _event("device-0001", 400, 30, "motif", "hump"),
        _event("device-0001", 220, 50, "anomaly", "flatline"),
        _event("device-0002", 300, 30, "motif", "hump"),
    ]
)


def _motif(signal: str, occurrences: list[int]) -> dict[str, object]:
    return {
        "device_id": "device-0001",
        "signal": signal,
        "rank": 1,
        "m": 30,
        "window_index": occurrences[0],
        "event_ts": _at(occurrences[0]),
        "neighbor_ts": _at(occurrences[1]),
        "occurrences": occurrences,
    }


def test_motif_precision_and_recall_count_every_occurrence_on_every_signal() -> None:
    motifs = pd.DataFrame(
        [
            _motif("iot_signal_1", [100, 400, 250]),  # two humps, then a window in the flatline
            _motif("iot_signal_3", [225, 500]),  # the flatline and noise: no hump
        ]
    )
    score = score_motifs(motifs, EVENTS)
    assert (score.occurrences, score.injected) == (5, 6)  # 3 humps x 2 signals trained
    assert score.precision == 2 / 5
    assert score.recall == 2 / 6
    assert score.as_metrics() == {"motif_precision": 0.4, "motif_recall": 2 / 6}
    assert motif_hit_rate(motifs, EVENTS) == 0.5
    assert motif_hit_rate(motifs, EVENTS, "flatline") == 0.0


def test_an_occurrence_is_dated_by_its_offset_from_the_motif() -> None:
    found = motif_occurrences(pd.DataFrame([_motif("iot_signal_1", [130, 70, 400])]))
    assert found["event_ts"].tolist() == [_at(130), _at(70), _at(400)]
    assert set(found["signal"]) == {"iot_signal_1"}


def test_no_motifs_score_zero_rather_than_fail() -> None:
    score = score_motifs(pd.DataFrame(columns=list(_motif("iot_signal_1", [1, 2]))), EVENTS)
    assert (score.precision, score.recall, score.occurrences) == (0.0, 0.0, 0)
