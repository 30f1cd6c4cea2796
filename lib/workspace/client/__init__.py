"""Python client of the workspace API, with cmlapi's method names.

Calls return as soon as the server accepts the request, with the very pydantic classes the server
declares as its response bodies (``workspace.schemas``; ``.to_dict()`` gives the JSON): list calls
answer a page (``ProjectList.projects``... and ``.next_page_token``), get and create calls the
resource (``ModelOut``...). A request body is keyword fields or the schema's request class
(``client.create_model(ModelCreate(name="TimeSeriesQuery"), project_id=pid)``). Ids are keyword
arguments. ``wait_for_*`` polls until a terminal state.

Example::

    from workspace.client import BuildFailed, WorkspaceClient

    client = WorkspaceClient()          # LAB_API_URL, LAB_API_KEY, LAB_PROJECT_ID
    try:
        client.wait_for_build(project_id=pid, model_id=mid, build_id=bid, timeout=120)
    except BuildFailed as exc:
        print(exc.log_tail)

Every error the client raises is a ``WorkspaceError``, in three branches::

    WorkspaceError
    ├── TransportError          the request did not get an answer
    │   ├── ConnectError        cannot reach the server (is `workspace up` running?)
    │   └── RequestTimeout      the server did not answer within the client timeout
    ├── ApiError                the server answered with an error (.status_code, .message)
    │   ├── BadRequest 400/413/422, Unauthorized 401, Forbidden 403, NotFound 404,
    │   ├── Conflict 409, TooManyRequests 429,
    │   └── ServerError 5xx
    │       └── GatewayTimeout 504
    └── WaitError               a wait_for_* gave up (.status, .log_tail)
        ├── BuildFailed, DeploymentFailed, JobRunFailed
        └── WaitTimeout         the awaited resource did not reach a terminal state in time

(what each one means: ``workspace.client._errors``).
"""

from workspace.client._client import WorkspaceClient
from workspace.client._errors import (
    ApiError,
    BadRequest,
    BuildFailed,
    Conflict,
    ConnectError,
    DeploymentFailed,
    Forbidden,
    GatewayTimeout,
    JobRunFailed,
    NotFound,
    RequestTimeout,
    ServerError,
    TooManyRequests,
    TransportError,
    Unauthorized,
    WaitError,
    WaitTimeout,
    WorkspaceError,
)
from workspace.client._http import ListParams
from workspace.schemas import (
    BuildCreate,
    BuildList,
    BuildOut,
    BuildStatus,
    CollaboratorIn,
    CollaboratorList,
    CollaboratorOut,
    DeploymentCreate,
    DeploymentEvent,
    DeploymentEventList,
    DeploymentList,
    DeploymentOut,
    DeploymentStatus,
    DeploymentUpdate,
    JobCreate,
    JobList,
    JobOut,
    JobRunCreate,
    JobRunList,
    JobRunOut,
    JobRunStatus,
    JobUpdate,
    MetricRow,
    MetricRows,
    ModelCreate,
    ModelList,
    ModelOut,
    PredictionLineage,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectStatus,
    ProjectUpdate,
    ReplicaList,
    ReplicaOut,
    ReplicaSampleList,
    ReplicaSampleOut,
    ReplicationPolicy,
    ResourceSpec,
    UserOut,
    UserRef,
    UserWithKey,
)

__all__ = [
    "ApiError",
    "BadRequest",
    "BuildCreate",
    "BuildFailed",
    "BuildList",
    "BuildOut",
    "BuildStatus",
    "CollaboratorIn",
    "CollaboratorList",
    "CollaboratorOut",
    "Conflict",
    "ConnectError",
    "DeploymentCreate",
    "DeploymentEvent",
    "DeploymentEventList",
    "DeploymentFailed",
    "DeploymentList",
    "DeploymentOut",
    "DeploymentStatus",
    "DeploymentUpdate",
    "Forbidden",
    "GatewayTimeout",
    "JobCreate",
    "JobList",
    "JobOut",
    "JobRunCreate",
    "JobRunFailed",
    "JobRunList",
    "JobRunOut",
    "JobRunStatus",
    "JobUpdate",
    "ListParams",
    "MetricRow",
    "MetricRows",
    "ModelCreate",
    "ModelList",
    "ModelOut",
    "NotFound",
    "PredictionLineage",
    "ProjectCreate",
    "ProjectList",
    "ProjectOut",
    "ProjectStatus",
    "ProjectUpdate",
    "ReplicaList",
    "ReplicaOut",
    "ReplicaSampleList",
    "ReplicaSampleOut",
    "ReplicationPolicy",
    "RequestTimeout",
    "ResourceSpec",
    "ServerError",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "UserOut",
    "UserRef",
    "UserWithKey",
    "WaitError",
    "WaitTimeout",
    "WorkspaceClient",
    "WorkspaceError",
]
