"""The IoT failure classifier as an MLflow model from code: a tiny threshold, so the registry
flow logs, registers, builds and serves it in seconds."""

import mlflow


class ThresholdClassifier(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return (model_input["iot_signal_2"] > 100).astype(int).tolist()


mlflow.models.set_model(ThresholdClassifier())
