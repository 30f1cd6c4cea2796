"""A registry build: an MLflow pyfunc model served in every MLflow input format, its signature
enforced so a wrong payload gets a 400 naming the column instead of a confident wrong answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from workspace.serving.backend import REPLICA_SECRET_HEADER, DeploymentSpec
from workspace.serving.local_backend import LocalProcessBackend

COLUMNS = ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"]
ROWS = [[35.5, 200.5, 30.5, 14.5], [80.0, 20.0, 95.0, 60.0]]


@pytest.fixture(scope="module")
def logged_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list[int]]:
    """Log a tiny classifier with a signature and input example into a temp MLflow file store;
    answers (model URI, tracking URI, predictions for ROWS)."""
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    store = tmp_path_factory.mktemp("mlruns")
    # Artifacts outside the store's folder: the file store takes every folder in its root for an
    # experiment, and would look for logged models under an artifacts folder placed there.
    artifacts = tmp_path_factory.mktemp("mlartifacts")
    tracking_uri = store.as_uri()
    features = pd.DataFrame(
        [[30.0, 190.0, 25.0, 10.0], [90.0, 10.0, 99.0, 70.0]] * 5, columns=COLUMNS
    )
    labels = [0, 1] * 5
    model = LogisticRegression().fit(features, labels)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a folder store: no database to migrate
        mlflow.set_tracking_uri(tracking_uri)
        try:
            experiment = mlflow.create_experiment(
                "serving-tests", artifact_location=artifacts.as_uri()
            )
            with mlflow.start_run(experiment_id=experiment):
                info = mlflow.sklearn.log_model(
                    model,
                    name="model",
                    signature=infer_signature(features, model.predict(features)),
                    input_example=features.head(2),
                    pip_requirements=["scikit-learn"],  # skip inferring them in a subprocess
                )
        finally:
            mlflow.set_tracking_uri(None)
    expected = model.predict(pd.DataFrame(ROWS, columns=COLUMNS)).tolist()
    return info.model_uri, tracking_uri, expected


@pytest.fixture(scope="module")
def endpoint(
    tmp_path_factory: pytest.TempPathFactory, logged_model, ready
) -> Iterator[httpx.Client]:
    """One replica of the registry build for the whole module: loading sklearn and MLflow takes
    seconds, and every test here only reads from it."""
    model_uri, tracking_uri, _ = logged_model
    root = tmp_path_factory.mktemp("pyfunc-serving")
    backend = LocalProcessBackend(root / "serving")
    spec = DeploymentSpec(
        "iot",
        root,
        model_uri=model_uri,
        environment={"MLFLOW_TRACKING_URI": tracking_uri, "MLFLOW_ALLOW_FILE_STORE": "true"},
    )
    backend.deploy(spec)
    try:
        [replica] = ready(backend, "iot", 1, timeout_s=90)
        secret = {REPLICA_SECRET_HEADER: backend.secret("iot") or ""}
        with httpx.Client(base_url=replica.url, headers=secret, timeout=30) as client:
            yield client
    finally:
        backend.shutdown()


RECORDS = [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]
FORMATS = {
    "dataframe_split": {"dataframe_split": {"columns": COLUMNS, "data": ROWS}},
    "dataframe_records": {"dataframe_records": RECORDS},
    "instances": {"instances": RECORDS},
    "inputs": {"inputs": {name: [row[i] for row in ROWS] for i, name in enumerate(COLUMNS)}},
}


def test_pyfunc_model_answers_every_mlflow_input_format(
    endpoint: httpx.Client, logged_model
) -> None:
    expected = logged_model[2]
    assert expected == [0, 1]
    for name, body in FORMATS.items():
        answer = endpoint.post("/predict", json={"request": body})
        assert answer.status_code == 200, (name, answer.text)
        assert answer.json()["response"] == expected, name


def _records(**changes: object) -> dict:
    record = dict(zip(COLUMNS, ROWS[0], strict=True))
    record.update(changes)
    return {"dataframe_records": [{k: v for k, v in record.items() if v is not None}]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_records(iot_signal_3=None), "missing column 'iot_signal_3'"),
        (_records(speed_kmh=88.0), "unexpected column 'speed_kmh'"),
        (_records(iot_signal_2="hot"), "column 'iot_signal_2' must be double, got str"),
        (_records(iot_signal_4=True), "column 'iot_signal_4' must be double, got bool"),
        ({"dataframe_split": {"columns": COLUMNS[:3], "data": [ROWS[0][:3]]}}, "'iot_signal_4'"),
        ({"rows": ROWS}, "exactly one of dataframe_split"),
        ([1, 2, 3], "must be an object"),
    ],
    ids=["missing", "extra", "string", "bool", "split-missing", "no-format", "not-an-object"],
)
def test_payload_against_the_signature_is_refused_naming_the_column(
    endpoint: httpx.Client, body: object, message: str
) -> None:
    answer = endpoint.post("/predict", json={"request": body})
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"]


def test_integers_are_accepted_for_double_columns(endpoint: httpx.Client, logged_model) -> None:
    body = {"dataframe_split": {"columns": COLUMNS, "data": [[35, 200, 30, 14]]}}
    answer = endpoint.post("/predict", json={"request": body})
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] == [0]


@pytest.fixture(scope="module")
def xgboost_model(tmp_path_factory: pytest.TempPathFactory):
    """An XGBoost classifier saved as MLflow saves it, loaded as a replica loads it."""
    import mlflow
    import numpy as np
    import pandas as pd
    import xgboost
    from mlflow.models import infer_signature
    from workspace.replica.pyfunc import PyfuncEntryPoint

    rng = np.random.default_rng(4)
    features = pd.DataFrame(rng.uniform(0, 100, size=(200, 4)), columns=COLUMNS)
    labels = (features.iot_signal_1 + features.iot_signal_3 > 100).astype(int)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(features, labels)
    path = tmp_path_factory.mktemp("xgb") / "model"
    mlflow.xgboost.save_model(
        model, path, signature=infer_signature(features), pip_requirements=["xgboost"]
    )
    return PyfuncEntryPoint(str(path)), model, features


def test_an_xgboost_model_answers_the_same_from_an_array_as_from_its_frame(xgboost_model) -> None:
    import pandas as pd

    served, model, features = xgboost_model
    assert served.takes_array  # the common request skips XGBoost's DataFrame handling
    rows = features.head(50)
    expected = model.predict(rows).tolist()
    split = {"dataframe_split": {"columns": COLUMNS, "data": rows.values.tolist()}}
    records = {"dataframe_records": rows.to_dict(orient="records")}
    assert served(split).tolist() == expected
    assert list(served(records)) == expected
    integers = {"dataframe_split": {"columns": COLUMNS, "data": [[35, 200, 30, 14]]}}
    as_floats = pd.DataFrame([[35.0, 200.0, 30.0, 14.0]], columns=COLUMNS)
    assert served(integers).tolist() == model.predict(as_floats).tolist()


def test_an_xgboost_request_in_another_column_order_is_answered_by_name(xgboost_model) -> None:
    from workspace.replica.model_errors import BadRequest

    served, model, features = xgboost_model
    row = features.head(1)
    reordered = list(reversed(COLUMNS))
    body = {"dataframe_split": {"columns": reordered, "data": [row[reordered].iloc[0].tolist()]}}
    assert list(served(body)) == model.predict(row).tolist()
    with pytest.raises(BadRequest, match="iot_signal_4"):
        served({"dataframe_split": {"columns": COLUMNS[:3], "data": [[1.0, 2.0, 3.0]]}})
    with pytest.raises(BadRequest, match="iot_signal_1"):
        served({"dataframe_split": {"columns": COLUMNS, "data": [["a", 2.0, 3.0, 4.0]]}})
    with pytest.raises(BadRequest, match="too large"):  # past float range: 400, never 500
        served({"dataframe_split": {"columns": COLUMNS, "data": [[1.0, 10**400, 3.0, 4.0]]}})
