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
    """One panel per signal: the series, injected anomalies (red band), injected motifs (green
    band), discords found (red marks) and the rank-1 motif's occurrences (green marks)."""
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
        for d in discords[
            (discords.device_id == device) & (discords.signal == signal)
        ].itertuples():
            start = pd.Timestamp(d.event_ts)
            ax.axvspan(start, start + pd.Timedelta(minutes=int(d.m) - 1), color="#d33", alpha=0.5)
        best = motifs[
            (motifs.device_id == device) & (motifs.signal == signal) & (motifs["rank"] == 1)
        ]
        for mo in best.itertuples():
            for i in list(mo.occurrences)[:6]:
                if 0 <= i < len(ts):
                    ax.axvspan(ts.iloc[i], ts.iloc[min(i + int(mo.m) - 1, len(ts) - 1)],
                               color="#3a3", alpha=0.45)  # fmt: skip
    axes[0].set_title(
        f"{device}: discords (red marks) and rank-1 motif (green marks) over injected "
        "anomalies (red bands) and motifs (green bands)",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
