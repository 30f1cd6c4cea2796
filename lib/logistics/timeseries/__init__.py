"""Time-series models of the fleet with STUMPY: pattern search, motifs, discords, similarity.

Modules, one job each (import the heavy ones directly; this package imports numpy only):

- ``series``          FleetSeries: per-device signals of one Iceberg snapshot, as matrices
- ``window_stats``    rolling window statistics and sliding dot products (numpy, FFT)
- ``pattern_search``  PatternIndex: TimeSeriesQuery, the k best matches across the fleet
- ``profiles``        stumpy.stump / mstump / mpdist wrappers: motifs, discords, similarity
- ``device_models``   everything learned about one device (the per-device training step)
- ``similarity``      which devices behave alike (AB-joins on the executors)
- ``fleet_training``  Spark applyInPandas over devices -> Iceberg motifs/discords/similarity
- ``evaluation``      precision@k / recall of discords and motif hits vs injected events
- ``training_run``    one run end to end, logged to MLflow with a plot
- ``serving``         the TimeSeriesQuery and MultiDimMotif endpoint models
- ``numba_cache``     numba's disk cache for STUMPY under LAB_HOME
- ``validation``      every ValueError a caller can cause, naming the field

Errors a caller can cause are ``ValueError`` with a message naming the field.
"""

from logistics.timeseries.pattern_search import Match, PatternIndex
from logistics.timeseries.series import FleetSeries, load_fleet_series

__all__ = ["FleetSeries", "Match", "PatternIndex", "load_fleet_series"]
