"""CML's ``cdsw`` module, so code written for CML runs unchanged in jobs, sessions and replicas.

Why a package of its own: CML code says ``import cdsw`` and ``@cdsw.model_metrics``; the work is
done by ``workspace.model_api``, and this name only re-exports it with CML's signatures::

    import cdsw

    @cdsw.model_metrics
    def predict(args):
        cdsw.track_metric("input_size", len(args))
        return {"nearest_neighbor": 17}

    cdsw.call_model(model_access_key, {"pattern": [54, 53, 52, 51]})
    cdsw.read_metrics(model_crn=model_crn, model_deployment_crn=deployment_crn)

CML functions with no meaning here (experiments, workers, files to track) are not offered: a
script that needs them fails at the name, not later with a silent no-op.
"""

from __future__ import annotations

from workspace.model_api import (
    call_model,
    model_metrics,
    read_metrics,
    track_aggregate_metrics,
    track_delayed_metrics,
    track_metric,
)

__all__ = [
    "call_model",
    "model_metrics",
    "read_metrics",
    "track_aggregate_metrics",
    "track_delayed_metrics",
    "track_metric",
]
