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
# # 02 · Time-series models
# Learns motifs, discords (the unsupervised anomaly model) and multi-dimensional motifs of every
# device with STUMPY, distributed over devices with Spark, plus which devices behave alike
# (AB-joins). Results go to the Iceberg tables `logistics.motifs`, `logistics.discords` and
# `logistics.device_similarity`, each row carrying the telemetry snapshot id; parameters, precision
# and recall of the discords against the injected anomalies and of the motifs against the injected
# hump, and a plot go to an MLflow run. Windows where a sensor is stuck are no motifs (a flatline
# is a fault, found among the discords).
#
# Run as a job: `python dev/02_model_training.py --motif-m 30 --discord-m 10`

# %%
from logistics.script_args import (
    LabArgumentParser,
    exit_on_user_error,
    parse_script_args,
    positive_float,
    positive_int,
)

parser = LabArgumentParser(description="Train STUMPY motifs, discords and device similarity.")
parser.add_argument(
    "--snapshot-id", type=int, default=None, help="telemetry snapshot (default: latest)"
)
parser.add_argument("--motif-m", type=positive_int, default=30, help="motif window in minutes")
parser.add_argument("--discord-m", type=positive_int, default=10, help="discord window in minutes")
parser.add_argument("--motifs", type=positive_int, default=2, help="motifs per device and signal")
parser.add_argument(
    "--discords", type=positive_int, default=3, help="discords per device and signal"
)
parser.add_argument("--no-multi-dim", action="store_true", help="skip stumpy.mstump motifs")
parser.add_argument(
    "--flat-share",
    type=positive_float,
    default=0.5,
    help="share of repeated readings that makes a window stuck, hence no motif (1: constant only)",
)
parser.add_argument(
    "--similarity-signal", default="iot_signal_4", help="signal compared between devices"
)
parser.add_argument(
    "--similarity-minutes", type=positive_int, default=10, help="resampling for AB-joins"
)
parser.add_argument(
    "--neighbours", type=positive_int, default=3, help="most similar devices kept per device"
)
parser.add_argument(
    "--k",
    type=positive_int,
    default=None,
    help="precision@k (default: number of injected anomalies)",
)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.lakehouse import spark_session
    from logistics.timeseries.device_models import TrainingParams
    from logistics.timeseries.similarity import SimilarityParams
    from logistics.timeseries.training_run import train_and_log

    params = TrainingParams(
        motif_m=args.motif_m,
        discord_m=args.discord_m,
        motifs_per_signal=args.motifs,
        discords_per_signal=args.discords,
        multi_dim=not args.no_multi_dim,
        flat_share=args.flat_share,
    )
    similarity = SimilarityParams(
        signal=args.similarity_signal,
        resample_minutes=args.similarity_minutes,
        neighbours=args.neighbours,
    )
    spark = spark_session("02_model_training")
    report = train_and_log(
        spark, snapshot_id=args.snapshot_id, params=params, similarity=similarity, k=args.k
    )

# %%
print(
    f"trained {report.models.devices} devices at snapshot {report.models.snapshot_id} "
    f"in {report.models.seconds:.1f} s"
)
for name, value in report.metrics.items():
    print(f"  {name}: {value:.3f}")
for identifier in report.tables.values():
    print(f"table {identifier}")
print(f"plot {report.plot}")
print(f"MLflow run {report.run_id}")
