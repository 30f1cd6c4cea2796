"""What the PRD and MLflow scripts ask of the API, as the upstream lab's ``ApiUtility`` class
does: a model's latest build and deployment found by the model's name, through ``cmlapi``."""

import time

import cmlapi


class ApiUtility:
    def __init__(self, project_id):
        self.client = cmlapi.default_client()
        self.project_id = project_id

    def get_latest_deployment_details(self, model_name):
        """The access key and CRNs of ``model_name``'s most recent build's latest deployment."""
        models = self.client.list_models(self.project_id, async_req=True, page_size=50)
        model = next(m for m in models.get().to_dict()["models"] if m["name"] == model_name)
        builds = self.client.list_model_builds(self.project_id, model["id"])
        build = builds.to_dict()["model_builds"][-1]
        deployments = self.client.list_model_deployments(self.project_id, model["id"], build["id"])
        deployment = deployments.to_dict()["model_deployments"][-1]
        return {
            "model_id": model["id"],
            "model_access_key": model["access_key"],
            "model_crn": model["crn"],
            "latest_build_id": build["id"],
            "latest_deployment_id": deployment["id"],
            "latest_deployment_crn": deployment["crn"],
        }

    def wait_for_deployment(self, model_id, build_id, deployment_id, timeout=180):
        """Polls until the deployment serves (the upstream notebooks leave this to the UI)."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.client.get_model_deployment(
                self.project_id, model_id, build_id, deployment_id
            )
            if seen.status == "deployed":
                return seen
            if seen.status in ("failed", "stopped") or time.monotonic() > deadline:
                raise RuntimeError(f"deployment {deployment_id} is {seen.status}")
            time.sleep(0.5)
