"""What training learns about each device: the injected hump as motif, faults as discords."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from logistics.fleet.signals import hump_shape
from logistics.timeseries.device_models import COLUMNS, TrainingParams, serial_findings
from logistics.timeseries.evaluation import motif_hit_rate, score_discords, score_motifs
from logistics.timeseries.profiles import (
    flat_windows,
    multi_dim_motifs,
    series_distance,
    top_discords,
    top_motifs,
)
from logistics.timeseries.similarity import SimilarityParams, nearest_devices


@pytest.fixture(scope="module")
def learned(small_fleet) -> pd.DataFrame:
    return serial_findings(small_fleet.telemetry, TrainingParams())


def test_every_device_signal_gets_ranked_motifs_and_discords(learned, small_fleet) -> None:
    assert list(learned.columns) == COLUMNS
    per_series = learned[learned.kind != "multi_dim_motif"].groupby(["device_id", "kind"]).size()
    assert set(per_series.index.get_level_values(0)) == set(small_fleet.series.device_ids)
    discords = learned[learned.kind == "discord"]
    assert discords.groupby(["device_id", "signal"]).size().eq(3).all()
    assert (discords.groupby(["device_id", "signal"])["distance"].diff().dropna() <= 0).all()


def test_motif_discovery_finds_the_injected_hump_on_every_device(learned, small_fleet) -> None:
    motifs = learned[learned.kind == "motif"]
    assert motif_hit_rate(motifs, small_fleet.events) >= 0.9
    assert motif_hit_rate(motifs, small_fleet.events, "flatline") == 0.0
    for device in small_fleet.series.device_ids:
        mine = motifs[motifs.device_id == device]
        assert motif_hit_rate(mine, small_fleet.events) > 0, device
    score = score_motifs(motifs, small_fleet.events)
    assert score.precision >= 0.8  # the reported occurrences are humps, not look-alikes
    assert score.recall >= 0.9


def test_multi_dim_motif_is_the_hump_across_signals(learned, small_fleet) -> None:
    multi = learned[learned.kind == "multi_dim_motif"]
    assert len(multi) == len(small_fleet.series.device_ids)
    assert motif_hit_rate(multi, small_fleet.events) >= 0.5


def test_discords_find_injected_anomalies(learned, small_fleet) -> None:
    discords = learned[learned.kind == "discord"].rename(columns={"distance": "score"})
    score = score_discords(discords, small_fleet.events)
    assert score.anomalies == 8
    assert score.precision >= 0.6
    assert score.recall >= 0.5


def _humps_and_flatlines(seed: int = 5) -> np.ndarray:
    """Noise with the injected hump at 100 and 400 and a stuck sensor at 220 and 500."""
    rng = np.random.default_rng(seed)
    series = 52.0 + 0.1 * rng.normal(size=640)
    for start in (100, 400):
        series[start : start + 30] += 1.4 * hump_shape()
    series[220:270] = series[220]
    series[500:545] = series[500]
    return series


def test_rank_1_motif_is_the_recurring_hump_not_the_flatlines(stumpy_cached) -> None:
    series = _humps_and_flatlines()
    profile = stumpy_cached.stump(series, 30)[:, 0].astype(float)
    _, plain = stumpy_cached.motifs(series, profile, min_neighbors=1, max_motifs=1)
    assert 220 <= plain[0][0] < 545 and 220 <= plain[0][1] < 545  # STUMPY alone: the flatlines
    motifs = top_motifs(series, 30, top=2)
    first, second = sorted(motifs[0].occurrences[:2])
    assert abs(first - 100) < 15 and second - first == 300  # the two humps
    assert len(motifs[0].occurrences) == 2  # and nothing merely closer than chance
    for motif in motifs:
        for start in motif.occurrences:  # no reported window is mostly stuck
            assert not flat_windows(series[start : start + 30], 30)[0]


def test_a_window_is_flat_when_half_its_steps_repeat_a_reading() -> None:
    series = np.array([1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan, 7.0])
    assert flat_windows(series, 5).tolist() == [True, True, False, False, False, False]
    assert flat_windows(series, 5, share=1.0).tolist() == [False] * 6  # STUMPY's own rule
    assert flat_windows(np.full(8, 3.0), 4, share=1.0).all()
    with pytest.raises(ValueError, match="flat share must be in"):
        flat_windows(series, 5, share=0.0)


def test_a_series_that_is_all_stuck_has_no_motifs() -> None:
    assert top_motifs(np.full(200, 52.0), 30, top=2) == []


def test_multi_dim_motif_skips_stuck_windows() -> None:
    series = _humps_and_flatlines()
    signals = {"iot_signal_1": series, "iot_signal_3": series * 0.5 + 20}
    motifs, _ = multi_dim_motifs(signals, 30)
    first, second = sorted([motifs[0].index, motifs[0].neighbor_index])
    assert abs(first - 100) < 15 and second - first == 300


def test_discord_search_excludes_neighbours_of_each_pick() -> None:
    profile = np.zeros(100)
    profile[[10, 12, 50]] = [5.0, 4.0, 3.0]
    assert [d.index for d in top_discords(profile, m=5, top=3)] == [10, 50, 0]


def test_multi_dim_motif_names_its_signals() -> None:
    rng = np.random.default_rng(2)
    shape = np.sin(np.linspace(0, 3 * np.pi, 20))
    signals = {f"iot_signal_{i}": rng.normal(size=300) for i in (1, 2, 3)}
    for start in (40, 210):
        signals["iot_signal_2"][start : start + 20] += 8 * shape
        signals["iot_signal_3"][start : start + 20] += 8 * shape
    motifs, profile = multi_dim_motifs(signals, 20)
    assert profile.shape == (3, 281)
    first, second = sorted([motifs[0].index, motifs[0].neighbor_index])
    assert abs(first - 40) <= 2 and second - first == 170
    # the subspace holds only signals that carry the shape, never the pure-noise one
    assert motifs[0].signals and set(motifs[0].signals) <= {"iot_signal_2", "iot_signal_3"}


def test_similar_devices_are_nearest_by_mpdist() -> None:
    rng = np.random.default_rng(4)
    base = np.sin(np.linspace(0, 12 * np.pi, 288))
    series = {
        "device-a": base + 0.05 * rng.normal(size=288),
        "device-b": base + 0.05 * rng.normal(size=288),
        "device-c": rng.normal(size=288),
    }
    near = nearest_devices(pd.DataFrame({"device_id": ["device-a"]}), series, SimilarityParams())
    assert near.other_device_id.tolist()[:2] == ["device-b", "device-c"]
    assert series_distance(series["device-a"], series["device-b"], 12) < near.distance.iloc[1]
