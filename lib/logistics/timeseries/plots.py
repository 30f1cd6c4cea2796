"""The picture a person checks after training: one device, its discords, motifs and ground truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SERIES = "#345"
DISCORD = "#c00"
MOTIF = "#080"
BANDS = {"anomaly": "#d33", "motif": "#3a3"}  # injected ground truth, drawn under the series


def plot_device(
    telemetry: pd.DataFrame,
    motifs: pd.DataFrame,
    discords: pd.DataFrame,
    events: pd.DataFrame,
    path: Path,
    signals: tuple[str, ...],
) -> Path:
    """One panel per signal: the series, injected anomalies (red bands) and motifs (green bands),
    each band named in the top panel, and on top the discords found (red line) and the rank-1
    motif pair found (green line); a legend says which is which."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    device = str(telemetry["device_id"].iloc[0])
    ts = pd.to_datetime(telemetry["event_ts"], utc=True)
    fig, axes = plt.subplots(len(signals), 1, figsize=(12, 2.2 * len(signals) + 0.6), sharex=True)
    axes = list(axes) if len(signals) > 1 else [axes]
    mine = events[events["device_id"] == device]
    for ax, signal in zip(axes, signals, strict=True):
        ax.plot(ts, telemetry[signal], lw=0.6, color=SERIES)
        ax.set_ylabel(signal, fontsize=8)
        for e in mine.itertuples():
            if e.signal in ("all", signal):
                ax.axvspan(e.start_ts, e.end_ts, color=BANDS[e.kind], alpha=0.18, lw=0)
        values = telemetry[signal].to_numpy()
        found = discords[(discords.device_id == device) & (discords.signal == signal)]
        for d in found.itertuples():
            _overlay(ax, ts, values, int(d.window_index), int(d.m), DISCORD)
        best = motifs[
            (motifs.device_id == device) & (motifs.signal == signal) & (motifs["rank"] == 1)
        ]
        for mo in best.itertuples():
            for i in list(mo.occurrences)[:2]:  # the motif pair itself
                _overlay(ax, ts, values, int(i), int(mo.m), MOTIF)
    for e in mine.itertuples():  # name each band once, above the top panel
        axes[0].annotate(
            e.name,
            xy=(e.start_ts, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6,
            rotation=90,
            va="bottom",
            color=BANDS[e.kind],
        )
    axes[0].set_title(
        f"{device}: what training found against what was injected", fontsize=9, pad=36
    )
    legend = [
        Patch(color=BANDS["anomaly"], alpha=0.35, label=_band_label(mine, "anomaly")),
        Patch(color=BANDS["motif"], alpha=0.35, label=_band_label(mine, "motif")),
        Line2D([], [], color=DISCORD, lw=2.2, label="discord found"),
        Line2D([], [], color=MOTIF, lw=2.2, label="rank-1 motif pair found"),
    ]
    fig.legend(handles=legend, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _band_label(events: pd.DataFrame, kind: str) -> str:
    """``injected anomaly (flatline, spike)``: the kind of band and the events it stands for."""
    names = sorted(set(events.loc[events["kind"] == kind, "name"]))
    return f"injected {kind}" + (f" ({', '.join(names)})" if names else "")


def _overlay(ax, ts: pd.Series, values, start: int, m: int, color: str) -> None:
    """Redraw one window of the series, thick, in the colour of what was found there."""
    stop = min(start + m, len(ts))
    ax.plot(ts.iloc[start:stop], values[start:stop], lw=2.2, color=color)
