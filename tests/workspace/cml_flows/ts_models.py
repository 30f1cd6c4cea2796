"""Small stand-ins for the lab's two PRD models, written as CML model files are: the
TimeSeriesQuery and MultiDimMotif entry points, tracked with ``cdsw``."""

import cdsw


@cdsw.model_metrics
def predict(args):
    """TimeSeriesQuery's answer shape: the request back and the index of the lowest value."""
    pattern = args["pattern"]
    nearest = min(range(len(pattern)), key=pattern.__getitem__)
    cdsw.track_metric("input_data", args)
    cdsw.track_metric("nearest_neighbor", nearest)
    return {"data": args, "nearest_neighbor": nearest}


def multi_dim_motif(args):
    """MultiDimMotif's answer shape: one motif index per signal (the highest value here)."""
    return {"motifs_idx": {name: max(range(len(s)), key=s.__getitem__) for name, s in args.items()}}
