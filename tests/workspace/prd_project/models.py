"""Model entry points the workspace tests build and deploy (a stand-in PRD project)."""

import os
import time

from pkg.helpers import shout
from workspace.model_api import model_metrics, track_metric


def echo(args):
    """Answers what it was sent: the cheapest model, to measure the platform itself."""
    return args


@model_metrics
def tracked(args):
    """Tracks a metric per prediction and can be told to fail, as a model bug would."""
    if args.get("fail"):
        raise RuntimeError("model failed on purpose")
    track_metric("input_size", len(args))
    return {"greeting": shout(os.environ.get("GREETING", "")), "region": os.environ.get("REGION")}


def slow_echo(args):
    """Answers after ``sleep`` seconds, so requests are still in flight when a deployment stops."""
    time.sleep(float(args.get("sleep", 0)))
    return args


NOT_A_FUNCTION = 42
