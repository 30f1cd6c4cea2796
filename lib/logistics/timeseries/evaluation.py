"""Score the unsupervised models against the injected ground truth (``logistics.injected_events``).

Why ground truth: the simulator knows where it put anomalies and motifs, so the discord model gets
real precision and recall, and motif discovery can be checked to find the recurring shape.

A reported window ``[event_ts, event_ts + m - 1 minutes]`` hits an injected event when the two
overlap on the same device and the event touched that signal (or all signals).

Motifs are scored against the injected hump, the one injected shape as long as the motif window
(the 4-minute falling run is what pattern search looks for): precision is the share of reported
occurrences that lie on a hump, recall the share of humps (on each signal trained) that a reported
occurrence found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MINUTE = pd.Timedelta(minutes=1)


@dataclass(frozen=True)
class DiscordScore:
    """precision@k and recall@k of the k highest-scoring discords of the fleet."""

    k: int
    precision: float
    recall: float
    anomalies: int

    def as_metrics(self) -> dict[str, float]:
        return {"precision_at_k": self.precision, "recall_at_k": self.recall, "k": float(self.k)}


def _naive_utc(values: pd.Series) -> np.ndarray:
    """datetime64[ns] in UTC without a zone (numpy arithmetic refuses zone-aware objects)."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(None).to_numpy()


def _hits(found: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """(found rows x events) boolean matrix: same device, signal touched, windows overlap."""
    if found.empty or events.empty:
        return np.zeros((len(found), len(events)), bool)
    start = _naive_utc(found["event_ts"])[:, None]
    end = start + (found["m"].to_numpy()[:, None] - 1) * np.timedelta64(1, "m")
    ev_start = _naive_utc(events["start_ts"])[None, :]
    ev_end = _naive_utc(events["end_ts"])[None, :]
    same_device = found["device_id"].to_numpy()[:, None] == events["device_id"].to_numpy()[None, :]
    ev_signal = events["signal"].to_numpy()[None, :]
    signal_ok = (ev_signal == "all") | (found["signal"].to_numpy()[:, None] == ev_signal)
    return same_device & signal_ok & (start <= ev_end) & (ev_start <= end)


def score_discords(
    discords: pd.DataFrame, events: pd.DataFrame, k: int | None = None
) -> DiscordScore:
    """Rank all discords by score; precision@k = hits / k, recall@k = anomalies found / anomalies.

    ``discords`` has device_id, signal, event_ts, m, score; ``k`` defaults to the number of
    injected anomalies (R-precision), so a perfect model scores 1.0 on both.
    """
    anomalies = events[events["kind"] == "anomaly"].reset_index(drop=True)
    if k is None:
        k = max(1, len(anomalies))
    if k <= 0:
        raise ValueError(f"k must be a positive integer, got {k}")
    top = discords.sort_values("score", ascending=False, kind="stable").head(k)
    hits = _hits(top.reset_index(drop=True), anomalies)
    precision = float(hits.any(axis=1).sum() / k)
    recall = float(hits.any(axis=0).mean()) if len(anomalies) else 0.0
    return DiscordScore(k, precision, recall, len(anomalies))


@dataclass(frozen=True)
class MotifScore:
    """Precision and recall of every occurrence of every reported motif, against one shape."""

    precision: float
    recall: float
    occurrences: int
    injected: int

    def as_metrics(self) -> dict[str, float]:
        return {"motif_precision": self.precision, "motif_recall": self.recall}


def motif_occurrences(motifs: pd.DataFrame) -> pd.DataFrame:
    """One row per occurrence of each motif (device_id, signal, rank, event_ts, m).

    An occurrence's time is the motif's own ``event_ts`` moved by the difference of their indices:
    telemetry has one reading a minute, so an index step is a minute.
    """
    columns = ["device_id", "signal", "rank", "event_ts", "m"]
    if motifs.empty:
        return pd.DataFrame(columns=columns)
    rows = motifs.assign(index=motifs["occurrences"].map(list)).explode("index")
    rows = rows.dropna(subset=["index"])
    steps = (rows["index"].astype("int64") - rows["window_index"].astype("int64")).to_numpy()
    start = pd.to_datetime(rows["event_ts"], utc=True) + pd.to_timedelta(steps, unit="min")
    return rows.assign(event_ts=start)[columns].reset_index(drop=True)


def score_motifs(motifs: pd.DataFrame, events: pd.DataFrame, name: str = "hump") -> MotifScore:
    """Precision and recall of motif discovery against the injected motif ``name``.

    ``motifs`` has device_id, signal, rank, event_ts, window_index, m and occurrences (one row per
    motif of one signal); every signal in it counts an injected ``all``-signal motif once.
    """
    found = motif_occurrences(motifs)
    truth = events[(events["kind"] == "motif") & (events["name"] == name)]
    signals = sorted(set(motifs["signal"])) if not motifs.empty else []
    per_signal = pd.concat(
        [truth[truth["signal"].isin(("all", s))].assign(signal=s) for s in signals]
        or [truth.iloc[:0]],
        ignore_index=True,
    )
    hits = _hits(found, per_signal)
    precision = float(hits.any(axis=1).mean()) if len(found) else 0.0
    recall = float(hits.any(axis=0).mean()) if len(per_signal) else 0.0
    return MotifScore(precision, recall, len(found), len(per_signal))


def motif_hit_rate(motifs: pd.DataFrame, events: pd.DataFrame, name: str = "hump") -> float:
    """Share of reported rank-1 motifs whose first two occurrences both lie on an injected event
    called ``name``: the hump, or an anomaly such as ``flatline`` to see how often a fault wins.

    ``motifs`` has device_id, signal, rank, event_ts, neighbor_ts, m (one row per motif).
    """
    truth = events[events["name"] == name].reset_index(drop=True)
    best = motifs[motifs["rank"] == 1].reset_index(drop=True)
    if best.empty:
        return 0.0
    first = _hits(best, truth).any(axis=1)
    neighbour = _hits(best.assign(event_ts=best["neighbor_ts"]), truth).any(axis=1)
    return float((first & neighbour).mean())
