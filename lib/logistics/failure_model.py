"""The IoT failure classifier: XGBoost on the four signals, logged to MLflow with its lineage.

Why a held-out gate: a retrained model (``challenger``) replaces the ``champion`` only when it
scores better on the same held-out rows: promotion is a measured decision, rollback is moving
alias back.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from logistics.telemetry_schema import FAILURE_LABEL, SIGNALS

if TYPE_CHECKING:
    from xgboost import XGBClassifier

    from logistics.snapshots import SnapshotInfo

FEATURES: tuple[str, ...] = SIGNALS
LABEL = FAILURE_LABEL


@dataclass(frozen=True)
class ClassifierParams:
    """XGBoost hyperparameters and the held-out split; logged to MLflow as they are.

    Why one object: the full training (step 01) and the incremental retrain (step 04) must fit
    the same way for the quality gate to compare like with like; both fill it from the same flags::

        ClassifierParams.add_flags(parser)
        params = ClassifierParams.from_flags(parser.parse_args())
    """

    n_estimators: int = 200
    max_depth: int = 4
    learning_rate: float = 0.1
    subsample: float = 0.9
    seed: int = 42
    test_size: float = 0.3
    n_jobs: int = 2

    def __post_init__(self) -> None:
        for name in ("n_estimators", "max_depth", "n_jobs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0 < self.learning_rate <= 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {self.learning_rate}")
        if not 0 < self.subsample <= 1:
            raise ValueError(f"subsample must be in (0, 1], got {self.subsample}")
        if not 0 < self.test_size < 1:
            raise ValueError(f"test_size must be between 0 and 1, got {self.test_size}")

    def classifier(self) -> XGBClassifier:
        from xgboost import XGBClassifier

        return XGBClassifier(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            eval_metric="logloss",
            random_state=self.seed,
            n_jobs=self.n_jobs,
        )

    def as_params(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def add_flags(cls, parser: argparse.ArgumentParser) -> None:
        """``--n-estimators``, ``--max-depth``, ... with this class's defaults."""
        helps = {
            "n_estimators": "boosting rounds",
            "max_depth": "depth of each tree",
            "learning_rate": "shrinkage per round",
            "subsample": "share of rows each tree sees",
            "seed": "seed of the train/test split and model",
            "test_size": "share of rows held out for metrics and the quality gate",
            "n_jobs": "XGBoost threads",
        }
        for field in fields(cls):
            parser.add_argument(
                f"--{field.name.replace('_', '-')}",
                type=type(field.default),
                default=field.default,
                help=f"{helps[field.name]} (default {field.default})",
            )

    @classmethod
    def from_flags(cls, args: argparse.Namespace) -> ClassifierParams:
        return cls(**{field.name: getattr(args, field.name) for field in fields(cls)})


@dataclass
class TrainedClassifier:
    model: XGBClassifier
    metrics: dict[str, float]
    holdout: pd.DataFrame
    params: ClassifierParams


def read_training_frame(
    table: str, snapshot_id: int | None = None
) -> tuple[SnapshotInfo, pd.DataFrame]:
    """The rows of ``table`` at ``snapshot_id`` (its current snapshot when None) and that
    snapshot's lineage; a bad id is refused naming the table.

    Why ordered by device and time: the seeded split picks rows by position, so the same
    snapshot must give the same rows in the same order, whatever the files' read order, for a
    retrain at that snapshot to rebuild the same model.
    """
    from logistics.lakehouse import read_arrow
    from logistics.snapshots import snapshot_info

    snapshot = snapshot_info(table, snapshot_id)
    frame = read_arrow(table, snapshot_id=snapshot.snapshot_id).to_pandas()
    order = [c for c in ("device_id", "event_ts") if c in frame.columns]
    if order:
        frame = frame.sort_values(order, kind="stable", ignore_index=True)
    return snapshot, frame


def validate_training_frame(frame: pd.DataFrame) -> None:
    missing = [c for c in (*FEATURES, LABEL) if c not in frame.columns]
    if missing:
        raise ValueError(f"training data lacks column {missing[0]!r}")
    if frame[LABEL].nunique() < 2:
        raise ValueError(f"{LABEL} has a single class: generate more data before training")


def evaluate(model: Any, frame: pd.DataFrame) -> dict[str, float]:
    """Accuracy, precision, recall and ROC AUC of ``model`` on ``frame``."""
    from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

    x, y = frame[list(FEATURES)].astype("float64"), frame[LABEL].astype(int)
    predicted = model.predict(x)
    score = model.predict_proba(x)[:, 1]
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y, score)) if y.nunique() > 1 else float("nan"),
    }


def train(frame: pd.DataFrame, params: ClassifierParams | None = None) -> TrainedClassifier:
    """Fit on a seeded, stratified split and score on the held-out part."""
    from sklearn.model_selection import train_test_split

    params = params or ClassifierParams()
    validate_training_frame(frame)
    train_rows, holdout = train_test_split(
        frame, test_size=params.test_size, random_state=params.seed, stratify=frame[LABEL]
    )
    model = params.classifier()
    model.fit(train_rows[list(FEATURES)].astype("float64"), train_rows[LABEL].astype(int))
    return TrainedClassifier(
        model=model, metrics=evaluate(model, holdout), holdout=holdout, params=params
    )


def log_run(
    trained: TrainedClassifier,
    snapshot: SnapshotInfo,
    *,
    run_name: str,
    facts: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """Log params, metrics, lineage tags and the model (signature + input example) to MLflow.

    ``facts`` are what the caller knows about the run beyond the hyperparameters (rows read,
    the snapshot an increment starts from); they are logged as params too.
    Returns the run id and the logged model's URI.
    """
    import mlflow
    from mlflow.models import infer_signature

    from logistics.snapshots import log_lineage

    example = trained.holdout[list(FEATURES)].astype("float64").head(5)
    signature = infer_signature(example, trained.model.predict(example))
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_params(
            {**(facts or {}), **trained.params.as_params()}
            | trained.model.get_params(deep=False)
            | {"features": ",".join(FEATURES)}
        )
        mlflow.log_metrics({k: v for k, v in trained.metrics.items() if np.isfinite(v)})
        log_lineage(snapshot)
        info = mlflow.xgboost.log_model(
            trained.model,
            name="model",
            signature=signature,
            input_example=example,
            model_format="ubj",
        )
    return run.info.run_id, info.model_uri


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reason: str


def quality_gate(
    challenger: Any,
    champion: Any,
    holdout: pd.DataFrame,
    *,
    metric: str = "roc_auc",
    min_gain: float = 0.0,
) -> GateDecision:
    """Promote the challenger only when it beats the champion on the same held-out rows."""
    new, old = evaluate(challenger, holdout)[metric], evaluate(champion, holdout)[metric]
    if new > old + min_gain:
        return GateDecision(True, f"challenger {metric} {new:.4f} beats champion {old:.4f}")
    return GateDecision(False, f"challenger {metric} {new:.4f} does not beat champion {old:.4f}")
