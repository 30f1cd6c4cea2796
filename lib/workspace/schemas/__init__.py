"""Request and response bodies of the workspace API (CML API v2 names), and resource states.

Why a package of its own, pydantic only: the server declares these as its routes' bodies and the
client returns the very same classes, so a field is defined once for both sides; it imports
nothing of the server, so user code and replicas can use it without FastAPI or SQLAlchemy.
"""

from workspace.schemas.common import Permission, Record, Strict, UserRef
from workspace.schemas.deployments import (
    DeploymentCreate,
    DeploymentEvent,
    DeploymentEventList,
    DeploymentList,
    DeploymentOut,
    DeploymentUpdate,
    ReplicaList,
    ReplicaOut,
    ReplicaSampleList,
    ReplicaSampleOut,
    ReplicaUsage,
)
from workspace.schemas.jobs import (
    JobCreate,
    JobList,
    JobOut,
    JobRunCreate,
    JobRunList,
    JobRunLog,
    JobRunOut,
    JobType,
    JobUpdate,
)
from workspace.schemas.lineage import PredictionLineage
from workspace.schemas.metrics import AggregateMetrics, DelayedMetrics, MetricRow, MetricRows
from workspace.schemas.models import (
    BuildCreate,
    BuildList,
    BuildLog,
    BuildOut,
    ModelCreate,
    ModelList,
    ModelOut,
    ReplicationPolicy,
    ResourceSpec,
)
from workspace.schemas.projects import (
    CollaboratorIn,
    CollaboratorList,
    CollaboratorOut,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectUpdate,
)
from workspace.schemas.runtimes import RuntimeList, RuntimeOut
from workspace.schemas.states import (
    BuildStatus,
    DeploymentStatus,
    JobRunStatus,
    ProjectStatus,
    RuntimeStatus,
)
from workspace.schemas.users import (
    UserCreate,
    UserOut,
    UserWithKey,
    V2KeyCreate,
    V2KeyCreated,
    V2KeyDetails,
    V2KeyList,
)

__all__ = [
    "AggregateMetrics",
    "BuildCreate",
    "BuildList",
    "BuildLog",
    "BuildOut",
    "BuildStatus",
    "CollaboratorIn",
    "CollaboratorList",
    "CollaboratorOut",
    "DelayedMetrics",
    "DeploymentCreate",
    "DeploymentEvent",
    "DeploymentEventList",
    "DeploymentList",
    "DeploymentOut",
    "DeploymentStatus",
    "DeploymentUpdate",
    "JobCreate",
    "JobList",
    "JobOut",
    "JobRunCreate",
    "JobRunList",
    "JobRunLog",
    "JobRunOut",
    "JobRunStatus",
    "JobType",
    "JobUpdate",
    "MetricRow",
    "MetricRows",
    "ModelCreate",
    "ModelList",
    "ModelOut",
    "Permission",
    "PredictionLineage",
    "ProjectCreate",
    "ProjectList",
    "ProjectOut",
    "ProjectStatus",
    "ProjectUpdate",
    "Record",
    "ReplicaList",
    "ReplicaOut",
    "ReplicaSampleList",
    "ReplicaSampleOut",
    "ReplicaUsage",
    "ReplicationPolicy",
    "ResourceSpec",
    "RuntimeList",
    "RuntimeOut",
    "RuntimeStatus",
    "Strict",
    "UserCreate",
    "UserOut",
    "UserRef",
    "UserWithKey",
    "V2KeyCreate",
    "V2KeyCreated",
    "V2KeyDetails",
    "V2KeyList",
]
