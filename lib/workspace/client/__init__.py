"""Python client of the workspace API, with cmlapi's method names.

Example::

    from workspace.client import WorkspaceClient, BuildFailed
    client = WorkspaceClient()          # LAB_API_URL, LAB_API_KEY, LAB_PROJECT_ID
    try:
        client.wait_for_build(project_id, model_id, build_id, timeout=120)
    except BuildFailed as exc:
        print(exc.log_tail)

Exceptions form one tree under ``WorkspaceError`` (drawn in ``workspace.client._errors``).
"""

from workspace.client._client import WorkspaceClient
from workspace.client._errors import (
    BadRequest,
    BuildFailed,
    Conflict,
    ConnectError,
    DeploymentFailed,
    Forbidden,
    JobRunFailed,
    NotFound,
    ServerError,
    Timeout,
    Unauthorized,
    WorkspaceError,
)
from workspace.client._job_models import CreateJobRequest, CreateJobRunRequest, Job, JobRun
from workspace.client._models import (
    CreateModelBuildRequest,
    CreateModelDeploymentRequest,
    CreateModelRequest,
    CreateProjectRequest,
    Model,
    ModelBuild,
    ModelDeployment,
    Project,
    Replica,
)

__all__ = [
    "BadRequest",
    "BuildFailed",
    "Conflict",
    "ConnectError",
    "CreateJobRequest",
    "CreateJobRunRequest",
    "CreateModelBuildRequest",
    "CreateModelDeploymentRequest",
    "CreateModelRequest",
    "CreateProjectRequest",
    "DeploymentFailed",
    "Forbidden",
    "Job",
    "JobRun",
    "JobRunFailed",
    "Model",
    "ModelBuild",
    "ModelDeployment",
    "NotFound",
    "Project",
    "Replica",
    "ServerError",
    "Timeout",
    "Unauthorized",
    "WorkspaceClient",
    "WorkspaceError",
]
