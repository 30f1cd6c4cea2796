"""A model written for CML: ``import cdsw``, its decorator and ``track_metric``, unchanged."""

import os

import cdsw


@cdsw.model_metrics
def predict(args):
    """Tracks its input and answer, and says which project and owner its replica serves."""
    cdsw.track_metric("input_data", args)
    cdsw.track_metric("nearest_neighbor", 7)
    return {
        "nearest_neighbor": 7,
        "project": os.environ["CDSW_PROJECT"],
        "owner": os.environ["PROJECT_OWNER"],
        "own_key": os.environ["CDSW_APIV2_KEY"] == os.environ["LAB_API_KEY"],
    }
