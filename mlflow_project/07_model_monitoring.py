# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Monitor accuracy and feature drift
# Reads the serving deployment's metrics (per prediction with the delayed ground truth, and the
# aggregate accuracy windows of step 06), and compares the served inputs with the data the champion
# was trained on (found through its run's Iceberg snapshot tag) with the population stability index
# and the Hellinger distance per feature and window. Plots are saved as PNG and their paths printed.

# %%
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    parse_script_args,
    positive_int,
)

parser = LabArgumentParser(description="Plot accuracy and feature drift of the served classifier.")
add_classifier_flags(parser, model_help="served and registered name")
parser.add_argument("--window", type=positive_int, default=100, help="requests per drift window")
args = parse_script_args(parser)

# %%
from logistics.classifier_monitoring import (
    accuracy_by_window,
    reported_accuracy,
    save_accuracy_drift_figure,
    served_inputs,
    shifted_features,
)
from logistics.drift import drift_by_window
from logistics.lakehouse import read_arrow
from logistics.model_lineage import trained_on
from logistics.registry import CHAMPION
from logistics.script_args import exit_on_user_error
from logistics.settings import get_settings
from logistics.telemetry_schema import SIGNALS
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import serving_endpoint
from workspace.monitoring import aggregates_frame, requests_frame

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    served = serving_endpoint(client, args.project, args.model_name)
    rows = client.read_metrics(model_deployment_crn=served.deployment.crn).to_dict()["metrics"]
    current = served_inputs(requests_frame(rows))
    champion = trained_on(args.model_name, CHAMPION)
    reference = read_arrow("iot_fleet", snapshot_id=champion.snapshot_id, columns=SIGNALS)

# %%
drift = drift_by_window(reference.to_pandas(), current, SIGNALS, args.window)
accuracy = accuracy_by_window(current, args.window)
out = get_settings().reports_dir / "mlflow_monitoring"
plot_path = save_accuracy_drift_figure(
    accuracy,
    reported_accuracy(aggregates_frame(rows)),
    drift,
    out / f"{args.model_name}-accuracy-drift.png",
    title=f"{args.model_name} v{champion.version}: accuracy and drift",
    window=args.window,
)
table_path = out / f"{args.model_name}-drift.csv"
drift.to_csv(table_path, index=False)

# %%
print(drift.pivot(index="window", columns="feature", values="psi").round(3).to_string())
print(f"accuracy per window: {', '.join(f'{a:.3f}' for a in accuracy)}")
shifted = shifted_features(drift)
print(f"features shifted vs training data: {', '.join(shifted) if shifted else 'none'}")
print(f"saved {plot_path}")
print(f"saved {table_path}")
