"""MultiDimMotif model endpoint: motifs, discords and anomaly scores of the signals it is sent.

Build (in the PRD project, made from ``prd/``) with ``file_path="ts_multidim_serve.py"`` and
``function_name="multi_dim_motif"``.
Requests are column-oriented, ``{"iot_signal_1": [...], ..., "iot_signal_4": [...], "m": 10}``;
the upstream row-oriented dict of rows (``{"0": {"iot_signal_1": 3, ...}, "1": {...}}``) is
detected and accepted too. The answer is plain JSON.
"""

from logistics.timeseries.serving import MultiDimMotifModel
from workspace.model_api import track_metric

_model = MultiDimMotifModel()
_warm = False


def warmup() -> None:
    """Load STUMPY's compiled kernels (numba disk cache under LAB_HOME) before serving."""
    global _warm
    if not _warm:
        _model.warmup()
        _warm = True


def multi_dim_motif(args):
    """Answer one MultiDimMotif request; bad input raises ValueError (a 4xx answer)."""
    track_metric("input", args)
    result = _model.predict(args)
    track_metric("multi_dim_motif", result["multi_dim_motif"])
    return result
