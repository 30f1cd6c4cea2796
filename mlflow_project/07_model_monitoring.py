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
# # 07 · Monitor accuracy and drift, and raise alerts
# Reads the serving deployment's metrics (per prediction with the delayed ground truth, and the
# aggregate accuracy windows of step 06), and compares the served inputs with the data the deployed
# version was trained on (the training snapshot the workspace finds through its run's Iceberg tags)
# with PSI, TVD, Hellinger and KL per feature over sliding windows; DDM and Page-Hinkley watch the
# delayed-label errors. Each detection is raised as an alert on the deployment (a Prometheus gauge,
# an `alert.*` row in read_metrics, an event in its history, and its alert job when one is set:
# `--on-alert-job` names a project job, e.g. the retrain step). Plots are saved as PNG.

# %%
from logistics.drift import MEASURES
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    parse_script_args,
    positive_int,
)

parser = LabArgumentParser(description="Plot accuracy and feature drift of the served classifier.")
add_classifier_flags(parser, model_help="served and registered name")
parser.add_argument("--window", type=positive_int, default=100, help="requests per drift window")
parser.add_argument(
    "--step", type=positive_int, default=50, help="requests between sliding drift windows"
)
parser.add_argument(
    "--measure", choices=MEASURES, default="psi", help="drift measure that raises alerts"
)
parser.add_argument(
    "--on-alert-job", default="", help="name of a project job every alert starts (e.g. retrain)"
)
parser.add_argument(
    "--no-alerts", action="store_true", help="report detections without raising alerts"
)
args = parse_script_args(parser)

# %%
from logistics.classifier_monitoring import (
    accuracy_by_window,
    prediction_errors,
    reported_accuracy,
    save_accuracy_drift_figure,
    served_inputs,
    shifted_features,
)
from logistics.concept_drift import alarms
from logistics.drift import drift_by_window
from logistics.drift_alerts import concept_detections, feature_detections
from logistics.lakehouse import read_arrow
from logistics.script_args import exit_on_user_error
from logistics.settings import get_settings
from logistics.telemetry_schema import SIGNALS
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import serving_endpoint
from workspace.lifecycle import find_job
from workspace.monitoring import aggregates_frame, requests_frame

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    served = serving_endpoint(client, args.project, args.model_name)
    where = {
        "project_id": served.project_id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    trained_on = client.get_training_snapshot(**where)  # 409 names what the build lacks
    rows = client.read_metrics(model_deployment_crn=served.deployment.crn).to_dict()["metrics"]
    current = served_inputs(requests_frame(rows))
    reference = read_arrow(
        trained_on.table, snapshot_id=int(trained_on.snapshot_id), columns=SIGNALS
    )
    if args.on_alert_job:
        job = find_job(client, served.project_id, args.on_alert_job)
        client.set_alert_action(**where, job_id=job.id)

# %%
drift = drift_by_window(reference.to_pandas(), current, SIGNALS, args.window, args.step)
accuracy = accuracy_by_window(current, args.window)
detections = feature_detections(drift, measure=args.measure) + concept_detections(
    alarms(prediction_errors(current), window=args.window), window=args.window
)
with exit_on_user_error(WorkspaceError):
    for detection in [] if args.no_alerts else detections:
        alert = client.create_deployment_alert(**where, **detection.alert_fields())
        started = f" (started job run {alert.job_run_id})" if alert.job_run_id else ""
        print(f"alert: {alert.message}{started}")
out = get_settings().reports_dir / "mlflow_monitoring"
plot_path = save_accuracy_drift_figure(
    accuracy,
    reported_accuracy(aggregates_frame(rows)),
    drift,
    out / f"{args.model_name}-accuracy-drift.png",
    title=f"{args.model_name} ({trained_on.registered_model_version_id}): accuracy, drift, alerts",
    window=args.window,
    detections=detections,
    measure=args.measure,
)
table_path = out / f"{args.model_name}-drift.csv"
drift.to_csv(table_path, index=False)

# %%
print(drift.pivot(index="window", columns="feature", values=args.measure).round(3).to_string())
print(f"accuracy per window: {', '.join(f'{a:.3f}' for a in accuracy)}")
shifted = shifted_features(drift)
print(f"features shifted vs training data: {', '.join(shifted) if shifted else 'none'}")
print(f"detections: {len(detections)}" + "".join(f"\n  {d.format()}" for d in detections))
print(f"saved {plot_path}")
print(f"saved {table_path}")
