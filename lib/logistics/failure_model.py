"""The IoT failure classifier: XGBoost on the four signals, logged to MLflow with its lineage.

Why a held-out gate: a retrained model (``challenger``) replaces the ``champion`` only when it
scores better on the same held-out rows: promotion is a measured decision, rollback is moving
alias back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from logistics.fleet import SIGNALS

if TYPE_CHECKING:
    from xgboost import XGBClassifier

    from logistics.snapshots import SnapshotInfo

FEATURES: tuple[str, ...] = SIGNALS
LABEL = "iot_failure"


@dataclass
class TrainedClassifier:
    model: XGBClassifier
    metrics: dict[str, float]
    holdout: pd.DataFrame


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


def train(frame: pd.DataFrame, *, seed: int = 42, test_size: float = 0.3) -> TrainedClassifier:
    """Fit on a seeded, stratified split and score on the held-out part."""
    from sklearn.model_selection import train_test_split
    from xgboost import XGBClassifier

    validate_training_frame(frame)
    train_rows, holdout = train_test_split(
        frame, test_size=test_size, random_state=seed, stratify=frame[LABEL]
    )
    model = XGBClassifier(
        n_estimators=200,
        max_depth=4,
        learning_rate=0.1,
        subsample=0.9,
        eval_metric="logloss",
        random_state=seed,
        n_jobs=2,
    )
    model.fit(train_rows[list(FEATURES)].astype("float64"), train_rows[LABEL].astype(int))
    return TrainedClassifier(model=model, metrics=evaluate(model, holdout), holdout=holdout)


def log_run(
    trained: TrainedClassifier, snapshot: SnapshotInfo, *, run_name: str, params: dict[str, Any]
) -> tuple[str, str]:
    """Log params, metrics, lineage tags and the model (signature + input example) to MLflow.

    Returns the run id and the logged model's URI.
    """
    import mlflow
    from mlflow.models import infer_signature

    example = trained.holdout[list(FEATURES)].astype("float64").head(5)
    signature = infer_signature(example, trained.model.predict(example))
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_params(
            {**params, **trained.model.get_params(deep=False)} | {"features": ",".join(FEATURES)}
        )
        mlflow.log_metrics({k: v for k, v in trained.metrics.items() if np.isfinite(v)})
        mlflow.set_tags(snapshot.as_tags())
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
