"""What training learns about each device: the injected hump as motif, faults as discords."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from logistics.timeseries.device_models import COLUMNS, TrainingParams, serial_findings
from logistics.timeseries.evaluation import motif_hit_rate, score_discords
from logistics.timeseries.profiles import multi_dim_motifs, series_distance, top_discords
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
    assert motif_hit_rate(motifs, small_fleet.events) >= 0.6
    for device in small_fleet.series.device_ids:
        mine = motifs[motifs.device_id == device]
        assert motif_hit_rate(mine, small_fleet.events) > 0, device


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
