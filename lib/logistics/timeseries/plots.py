"""The picture a person checks after training: one device, its discords, motifs and ground truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def plot_device(
    telemetry: pd.DataFrame,
    motifs: pd.DataFrame,
    discords: pd.DataFrame,
    events: pd.DataFrame,
    path: Path,
    signals: tuple[str, ...],
) -> Path:
    """One panel per signal: the series, injected anomalies (red band) and motifs (green band),
    and on top the discords found (red line) and the rank-1 motif pair found (green line)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    device = str(telemetry["device_id"].iloc[0])
    ts = pd.to_datetime(telemetry["event_ts"], utc=True)
    fig, axes = plt.subplots(len(signals), 1, figsize=(12, 2.2 * len(signals)), sharex=True)
    axes = list(axes) if len(signals) > 1 else [axes]
    mine = events[events["device_id"] == device]
    for ax, signal in zip(axes, signals, strict=True):
        ax.plot(ts, telemetry[signal], lw=0.6, color="#345")
        ax.set_ylabel(signal, fontsize=8)
        for e in mine.itertuples():
            if e.signal in ("all", signal):
                color = "#d33" if e.kind == "anomaly" else "#3a3"
                ax.axvspan(e.start_ts, e.end_ts, color=color, alpha=0.18, lw=0)
        values = telemetry[signal].to_numpy()
        found = discords[(discords.device_id == device) & (discords.signal == signal)]
        for d in found.itertuples():
            _overlay(ax, ts, values, int(d.window_index), int(d.m), "#c00")
        best = motifs[
            (motifs.device_id == device) & (motifs.signal == signal) & (motifs["rank"] == 1)
        ]
        for mo in best.itertuples():
            for i in list(mo.occurrences)[:2]:  # the motif pair itself
                _overlay(ax, ts, values, int(i), int(mo.m), "#080")
    axes[0].set_title(
        f"{device}: discords found (red line) and rank-1 motif pair found (green line); "
        "injected anomalies (red bands) and motifs (green bands)",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _overlay(ax, ts: pd.Series, values, start: int, m: int, color: str) -> None:
    """Redraw one window of the series, thick, in the colour of what was found there."""
    stop = min(start + m, len(ts))
    ax.plot(ts.iloc[start:stop], values[start:stop], lw=2.2, color=color)
