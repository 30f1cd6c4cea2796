"""The fleet's signals as one padded float64 matrix per signal, read once per Iceberg snapshot.

Why a matrix: pattern search scores every device at once with whole-array numpy arithmetic
instead of a Python loop over devices; devices with fewer readings are padded with NaN, which
the window statistics treat as missing, exactly as STUMPY treats NaN.

Rows are devices sorted by ``device_id``; columns are minutes sorted by ``event_ts``, so a
column number is the ``index`` the model contracts speak of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from logistics.telemetry_schema import SIGNALS, series_columns
from logistics.timeseries.validation import signal_name

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


@dataclass(frozen=True)
class FleetSeries:
    """Per-device series of each signal, their timestamps, and the snapshot they came from."""

    device_ids: tuple[str, ...]
    lengths: np.ndarray  # (devices,) readings per device
    event_ts: np.ndarray  # (devices, n_max) datetime64[us] UTC, NaT past a device's length
    values: dict[str, np.ndarray]  # signal -> (devices, n_max) float64, NaN padded
    snapshot_id: int | None = None
    _row_of: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_row_of", {d: i for i, d in enumerate(self.device_ids)})

    @property
    def n_max(self) -> int:
        return int(self.event_ts.shape[1]) if self.device_ids else 0

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(self.values)

    def signal(self, name: object) -> np.ndarray:
        """The (devices, n_max) matrix of one signal; ValueError for an unknown signal."""
        return self.values[signal_name(name, allowed=self.signals)]

    def row(self, device_id: object) -> int:
        """Row number of a device; ValueError naming ``device_id`` when it is not in the fleet."""
        if not isinstance(device_id, str) or device_id not in self._row_of:
            sample = ", ".join(self.device_ids[:3])
            raise ValueError(
                f"device_id {device_id!r} is not in the fleet ({len(self.device_ids)} devices, "
                f"e.g. {sample})"
            )
        return self._row_of[device_id]

    def device_series(self, device_id: str, signal: str) -> np.ndarray:
        """One device's readings of one signal, unpadded (what STUMPY would be given)."""
        r = self.row(device_id)
        return self.signal(signal)[r, : self.lengths[r]]

    @classmethod
    def from_arrow(
        cls,
        table: pa.Table,
        signals: Sequence[str] = SIGNALS,
        snapshot_id: int | None = None,
    ) -> FleetSeries:
        """Build from rows ``device_id, event_ts, <signals>`` in any order."""
        import pyarrow.compute as pc

        missing = [c for c in series_columns(signals) if c not in table.column_names]
        if missing:
            raise ValueError(f"telemetry lacks column(s) {', '.join(missing)}")
        table = table.sort_by([("device_id", "ascending"), ("event_ts", "ascending")])
        encoded = pc.dictionary_encode(table.column("device_id")).combine_chunks()
        device_ids = tuple(str(d) for d in encoded.dictionary.to_pylist())
        lengths = np.bincount(encoded.indices.to_numpy(), minlength=len(device_ids))
        n_max = int(lengths.max()) if lengths.size else 0
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # column position of every row inside its device: running count within the device
        position = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
        row = np.repeat(np.arange(len(device_ids)), lengths)

        import pyarrow as pa

        ts = table.column("event_ts").combine_chunks()
        ts_us = pc.cast(ts, pa.timestamp("us", tz="UTC")).to_numpy(zero_copy_only=False)
        event_ts = np.full((len(device_ids), n_max), np.datetime64("NaT", "us"))
        event_ts[row, position] = ts_us.astype("datetime64[us]")
        values = {}
        for name in signals:
            column = pc.cast(table.column(name), "float64").combine_chunks()
            matrix = np.full((len(device_ids), n_max), np.nan)
            matrix[row, position] = column.to_numpy(zero_copy_only=False)
            values[name] = matrix
        return cls(device_ids, lengths.astype(np.int64), event_ts, values, snapshot_id)

    @classmethod
    def from_pandas(
        cls, frame: pd.DataFrame, signals: Sequence[str] = SIGNALS, snapshot_id: int | None = None
    ) -> FleetSeries:
        """Build from a pandas frame such as ``fleet.simulate_device`` returns."""
        import pyarrow as pa

        columns = list(series_columns(signals))
        return cls.from_arrow(
            pa.Table.from_pandas(frame[columns], preserve_index=False), signals, snapshot_id
        )


def load_fleet_series(
    snapshot_id: int | None = None,
    signals: Sequence[str] = SIGNALS,
    table: str = "fleet_telemetry",
) -> FleetSeries:
    """Read the telemetry table at ``snapshot_id`` (the current one when None) through pyiceberg.

    Why pyiceberg: serving replicas and tests read the lakehouse without starting a JVM, and the
    snapshot id pins exactly the rows a model was trained on.
    """
    from logistics.lakehouse import load_table
    from logistics.snapshots import resolve_snapshot

    iceberg = load_table(table)
    snapshot = resolve_snapshot(iceberg, snapshot_id)
    for name in signals:
        signal_name(name)
    scan = iceberg.scan(selected_fields=series_columns(signals), snapshot_id=snapshot.snapshot_id)
    return FleetSeries.from_arrow(scan.to_arrow(), signals, snapshot.snapshot_id)
