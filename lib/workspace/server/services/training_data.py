"""Which table snapshot a build's model learnt from: what distribution drift is measured against.

Why the workspace asks and does not compute: drift is the domain's arithmetic, but whether a
deployment *has* training data to compare with is a fact of its build, answered the same way for
every model. A registry build's MLflow run records its training data as the run tags
``iceberg_table`` and ``iceberg_snapshot_id`` (the lakehouse convention training code follows);
a file build, or a run logged without those tags, has none, and a drift request for it is a
conflict (409) that says which tag is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace.server.services.errors import Conflict, NotFound
from workspace.server.services.mlflow_runs import SNAPSHOT_TAG, TABLE_TAG
from workspace.server.services.registry import Registry
from workspace.server.storage import tables as db


@dataclass(frozen=True)
class TrainingSnapshot:
    table: str
    snapshot_id: str
    run_id: str
    registered_model_version_id: str


class NoTrainingSnapshot(Conflict):
    """The build records no training snapshot; the message says what is missing."""


def training_snapshot(registry: Registry, build: db.Build) -> TrainingSnapshot:
    """The snapshot ``build``'s model learnt from; ``NoTrainingSnapshot`` saying what is missing."""
    version_id = build.registered_model_version_id
    if not version_id:
        raise NoTrainingSnapshot(
            f"build '{build.id}' is a file build with no training snapshot: build the model "
            f"from a registered MLflow version whose run has the tag '{SNAPSHOT_TAG}'"
        )
    try:
        run_id, tags = registry.version_run_tags(version_id)
    except NotFound as exc:
        raise NoTrainingSnapshot(f"build '{build.id}' has no training snapshot: {exc}") from None
    missing = [tag for tag in (TABLE_TAG, SNAPSHOT_TAG) if not tags.get(tag)]
    if missing:
        raise NoTrainingSnapshot(
            f"model version '{version_id}' has no training snapshot: its run '{run_id}' lacks "
            f"the tag(s) {', '.join(repr(t) for t in missing)}; log them when training"
        )
    return TrainingSnapshot(tags[TABLE_TAG], tags[SNAPSHOT_TAG], run_id, version_id)
