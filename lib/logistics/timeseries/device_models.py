"""Everything the fleet training learns about one device, as rows of one pandas frame.

Why one pure function of a pandas frame: Spark calls it once per device (``applyInPandas``), the
serial baseline of the benchmark calls it in a loop, and tests call it directly: the same code.

Motifs use the z-normalised profile (a shape recurs whatever the signal's level); discords use the
non-normalised one (``normalize=False``), because the injected faults are level changes and spikes
that z-normalisation would scale away. Both come from ``stumpy.stump``. Windows where a sensor is
stuck (``flat_share``) are no motifs: a flatline is a fault, found among the discords.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from logistics.telemetry_schema import SIGNALS
from logistics.timeseries.numba_cache import enable_stumpy_cache
from logistics.timeseries.profiles import (
    FLAT_SHARE,
    MIN_CORRELATION,
    matrix_profile,
    multi_dim_motifs,
    top_discords,
    top_motifs,
)
from logistics.timeseries.validation import positive_int, signal_name

FINDINGS_SCHEMA = (
    "device_id string, kind string, signal string, rank int, m int, window_index int, "
    "event_ts timestamp, neighbor_index int, neighbor_ts timestamp, distance double, "
    "occurrences array<int>"
)
COLUMNS = [c.split()[0] for c in FINDINGS_SCHEMA.split(", ")]


@dataclass(frozen=True)
class TrainingParams:
    """Model parameters; logged to MLflow as they are."""

    motif_m: int = 30
    discord_m: int = 10
    motifs_per_signal: int = 2
    discords_per_signal: int = 3
    multi_dim: bool = True
    signals: tuple[str, ...] = SIGNALS
    numba_threads: int = 1
    flat_share: float = FLAT_SHARE  # windows this stuck are faults, not motifs
    motif_min_correlation: float = MIN_CORRELATION  # what a match needs with its motif

    def __post_init__(self) -> None:
        for name in ("motif_m", "discord_m", "motifs_per_signal", "discords_per_signal"):
            positive_int(getattr(self, name), name)
        for name in ("motif_m", "discord_m"):
            if getattr(self, name) < 3:
                raise ValueError(f"{name} must be at least 3 points, got {getattr(self, name)}")
        for s in self.signals:
            signal_name(s, "signals")
        if not 0.0 < self.flat_share <= 1.0:
            raise ValueError(f"flat_share must be in (0, 1], got {self.flat_share}")
        if not -1.0 <= self.motif_min_correlation < 1.0:
            raise ValueError(
                f"motif_min_correlation must be in [-1, 1), got {self.motif_min_correlation}"
            )

    def as_params(self) -> dict[str, object]:
        values = asdict(self)
        values["signals"] = ",".join(self.signals)
        return values


def device_findings(frame: pd.DataFrame, params: TrainingParams) -> pd.DataFrame:
    """Motifs, discords and (optionally) multi-dimensional motifs of one device's telemetry."""
    enable_stumpy_cache(threads=params.numba_threads)
    frame = frame.sort_values("event_ts")
    device = str(frame["device_id"].iloc[0])
    ts = pd.to_datetime(frame["event_ts"], utc=True).reset_index(drop=True)
    rows: list[dict[str, object]] = []

    def row(kind, signal, rank, m, index, neighbor, distance, occurrences):
        rows.append(
            {
                "device_id": device,
                "kind": kind,
                "signal": signal,
                "rank": rank,
                "m": m,
                "window_index": index,
                "event_ts": ts.iloc[index],
                "neighbor_index": neighbor,
                "neighbor_ts": ts.iloc[neighbor] if neighbor >= 0 else pd.NaT,
                "distance": distance,
                "occurrences": occurrences,
            }
        )

    n = len(frame)
    for signal in params.signals:
        series = frame[signal].to_numpy(dtype=np.float64)
        if n >= 2 * params.motif_m:
            motifs = top_motifs(
                series,
                params.motif_m,
                params.motifs_per_signal,
                flat_share=params.flat_share,
                min_correlation=params.motif_min_correlation,
            )
            for rank, motif in enumerate(motifs, start=1):
                row(
                    "motif",
                    signal,
                    rank,
                    params.motif_m,
                    motif.index,
                    motif.neighbor_index,
                    motif.distance,
                    motif.occurrences,
                )
        if n >= 2 * params.discord_m:
            raw_profile, _ = matrix_profile(series, params.discord_m, normalize=False)
            for rank, discord in enumerate(
                top_discords(raw_profile, params.discord_m, params.discords_per_signal), start=1
            ):
                row(
                    "discord",
                    signal,
                    rank,
                    params.discord_m,
                    discord.index,
                    -1,
                    discord.score,
                    [discord.index],
                )
    if params.multi_dim and n >= 2 * params.motif_m:
        signals = {s: frame[s].to_numpy(dtype=np.float64) for s in params.signals}
        motifs, _ = multi_dim_motifs(
            signals,
            params.motif_m,
            flat_share=params.flat_share,
            min_correlation=params.motif_min_correlation,
        )
        for rank, motif in enumerate(motifs, start=1):
            pair = [motif.index, motif.neighbor_index]
            subspace = ",".join(motif.signals)
            row(
                "multi_dim_motif",
                subspace,
                rank,
                params.motif_m,
                motif.index,
                motif.neighbor_index,
                motif.distance,
                pair,
            )
    out = pd.DataFrame(rows, columns=COLUMNS)
    ints = {c: "int32" for c in ("rank", "m", "window_index", "neighbor_index")}
    return out.astype({**ints, "distance": "float64"})


def serial_findings(frame: pd.DataFrame, params: TrainingParams) -> pd.DataFrame:
    """The same training as the Spark job, one device after another (benchmark baseline)."""
    parts = [device_findings(group, params) for _, group in frame.groupby("device_id", sort=True)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
