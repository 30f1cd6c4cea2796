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
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(description="Plot accuracy and feature drift of the served classifier.")
parser.add_argument("--project", default="logistics-mlflow", help="workspace project name")
parser.add_argument("--model-name", default="IOTFailureClf", help="served and registered name")
parser.add_argument("--window", type=positive_int, default=100, help="requests per drift window")
args = parse_script_args(parser)

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from logistics.drift import drift_by_window
from logistics.lakehouse import read_arrow
from logistics.registry import CHAMPION
from logistics.settings import get_settings
from logistics.telemetry_schema import SIGNALS
from logistics.tracking import configure_tracking
from mlflow import MlflowClient
from registry_support import fail
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.lifecycle import find_project, serving

configure_tracking()
try:
    client = WorkspaceClient()
    served = serving(client, find_project(client, args.project).id, args.model_name)
    rows = client.read_metrics(model_deployment_crn=served.deployment.crn).to_dict()["metrics"]
except WorkspaceError as exc:
    fail(str(exc))
frame = pd.json_normalize(rows)
aggregates = frame[frame.predictionUuid == ""].dropna(subset=["metrics.accuracy"])
served_inputs = frame[frame.predictionUuid != ""].dropna(subset=["metrics.input.iot_signal_1"])
if served_inputs.empty:
    fail("no predictions with ground truth yet: run mlflow_project/06_model_simulation.py first")
current = served_inputs.sort_values("startTimeStampMs").rename(
    columns={f"metrics.input.{s}": s for s in SIGNALS}
)

# %%
version = MlflowClient().get_model_version_by_alias(args.model_name, CHAMPION)
snapshot_id = int(MlflowClient().get_run(version.run_id).data.tags["iceberg_snapshot_id"])
reference = read_arrow("iot_fleet", snapshot_id=snapshot_id, columns=SIGNALS).to_pandas()
drift = drift_by_window(reference, current, SIGNALS, args.window)
accuracy = (
    (current["metrics.final_label"] == current["metrics.prediction"])
    .groupby((pd.Series(range(len(current)), index=current.index) // args.window) + 1)
    .mean()
)

# %%
out = get_settings().reports_dir / "mlflow_monitoring"
out.mkdir(parents=True, exist_ok=True)
fig, (acc_ax, psi_ax) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
acc_ax.plot(accuracy.index, accuracy.to_numpy(), marker="o", label="accuracy (delayed labels)")
if not aggregates.empty:
    acc_ax.plot(
        range(1, len(aggregates) + 1),
        aggregates["metrics.accuracy"].to_numpy(),
        linestyle="--",
        label="aggregate metric",
    )
acc_ax.set_ylabel("accuracy")
acc_ax.legend()
for feature, g in drift.groupby("feature"):
    psi_ax.plot(g.window, g.psi, marker="o", label=feature)
psi_ax.axhline(0.25, color="tab:red", linestyle="--", label="shifted (PSI 0.25)")
psi_ax.set_ylabel("PSI vs training data")
psi_ax.set_xlabel(f"window of {args.window} requests")
psi_ax.legend(fontsize=7)
fig.suptitle(f"{args.model_name} v{version.version}: accuracy and drift")
fig.tight_layout()
plot_path = out / f"{args.model_name}-accuracy-drift.png"
fig.savefig(plot_path, dpi=110)
table_path = out / f"{args.model_name}-drift.csv"
drift.to_csv(table_path, index=False)

# %%
print(drift.pivot(index="window", columns="feature", values="psi").round(3).to_string())
print(f"accuracy per window: {', '.join(f'{a:.3f}' for a in accuracy)}")
shifted = sorted(set(drift[drift.verdict == "shifted"].feature))
print(f"features shifted vs training data: {', '.join(shifted) if shifted else 'none'}")
print(f"saved {plot_path}")
print(f"saved {table_path}")
