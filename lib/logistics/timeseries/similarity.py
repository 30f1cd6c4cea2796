"""Which devices behave alike: MPdist (AB-joins both ways) between devices' resampled series.

Why resample: an AB-join costs the product of the two lengths, and every pair of devices needs
one; averaging a signal over a few minutes keeps its daily shape and faults visible while making
the all-pairs comparison affordable. Why MPdist: it is small when most windows of one device
have a close match in the other, regardless of when they happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logistics.telemetry_schema import series_columns
from logistics.timeseries.validation import positive_int, signal_name

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SIMILARITY_SCHEMA = "device_id string, other_device_id string, rank int, distance double"


@dataclass(frozen=True)
class SimilarityParams:
    signal: str = "iot_signal_4"
    resample_minutes: int = 10
    m: int = 12  # windows of m resampled points (2 hours at 10 minutes)
    neighbours: int = 3  # closest devices kept per device

    def __post_init__(self) -> None:
        signal_name(self.signal, "similarity signal")
        positive_int(self.resample_minutes, "resample_minutes")
        positive_int(self.neighbours, "neighbours")
        if positive_int(self.m, "similarity m") < 3:
            raise ValueError(f"similarity m must be at least 3 points, got {self.m}")


def resampled(frame: pd.DataFrame, params: SimilarityParams) -> pd.DataFrame:
    """One row: the device and its signal averaged over ``resample_minutes`` buckets."""
    series = frame.set_index(pd.to_datetime(frame["event_ts"], utc=True))[params.signal]
    values = series.sort_index().resample(f"{params.resample_minutes}min").mean().dropna()
    return pd.DataFrame({"device_id": [frame["device_id"].iloc[0]], "values": [values.to_list()]})


def nearest_devices(
    frame: pd.DataFrame, series: dict[str, np.ndarray], params: SimilarityParams
) -> pd.DataFrame:
    """The ``neighbours`` devices closest to the one in ``frame`` by MPdist."""
    from logistics.timeseries.profiles import series_distance

    device = str(frame["device_id"].iloc[0])
    mine = series[device]
    distances = [
        (other, series_distance(mine, values, params.m))
        for other, values in series.items()
        if other != device and min(values.size, mine.size) >= 2 * params.m
    ]
    distances.sort(key=lambda pair: (pair[1], pair[0]))
    rows = [
        {"device_id": device, "other_device_id": other, "rank": rank, "distance": distance}
        for rank, (other, distance) in enumerate(distances[: params.neighbours], start=1)
    ]
    out = pd.DataFrame(rows, columns=["device_id", "other_device_id", "rank", "distance"])
    return out.astype({"rank": "int32", "distance": "float64"})


def similarity_frame(
    spark: SparkSession, telemetry: DataFrame, params: SimilarityParams
) -> DataFrame:
    """Nearest devices of every device, computed on the executors."""
    small = (
        telemetry.select(*series_columns((params.signal,)))
        .groupBy("device_id")
        .applyInPandas(
            partial(resampled, params=params), schema="device_id string, values array<double>"
        )
        .toPandas()
    )
    series = {
        str(d): np.asarray(v, dtype=np.float64)
        for d, v in zip(small["device_id"], small["values"], strict=True)
    }
    shared = spark.sparkContext.broadcast(series)

    def compare(frame: pd.DataFrame) -> pd.DataFrame:
        return nearest_devices(frame, shared.value, params)

    devices = spark.createDataFrame(pd.DataFrame({"device_id": sorted(series)}))
    partitions = max(1, min(len(series), spark.sparkContext.defaultParallelism * 2))
    return (
        devices.repartition(partitions, "device_id")
        .groupBy("device_id")
        .applyInPandas(compare, schema=SIMILARITY_SCHEMA)
    )
