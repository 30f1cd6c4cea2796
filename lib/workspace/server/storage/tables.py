"""Tables of the workspace (SQLAlchemy 2) and the engine/session factory.

Why SQLAlchemy: SQLite under LAB_HOME for one machine, PostgreSQL for a team, same code. Every
record lives here, so a restarted server knows which deployments to bring back. Rows load their
creator in the same query, so response bodies are validated straight from them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    column_property,
    mapped_column,
    relationship,
    sessionmaker,
)

from workspace.schemas.models import ReplicationPolicy
from workspace.schemas.states import BuildStatus, DeploymentStatus, JobRunStatus, ProjectStatus


def utcnow() -> datetime:
    """Naive UTC: SQLite drops time zones, so every timestamp is UTC by convention."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, dict[str, str]: JSON}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class User(Base, Timestamped):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiKey(Base, Timestamped):
    """A bearer key, stored only as its SHA-256; deployment keys are minted for replicas."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    deployment_id: Mapped[str | None] = mapped_column(String(32), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class Project(Base, Timestamped):
    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(String(20))
    local_path: Mapped[str | None] = mapped_column(Text)
    git_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.CREATING)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[dict[str, str]] = mapped_column(default=dict)
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Collaborator(Base, Timestamped):
    __tablename__ = "collaborators"
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(20))


class Model(Base, Timestamped):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    crn: Mapped[str] = mapped_column(String(200))
    access_key: Mapped[str] = mapped_column(String(64), unique=True)
    auth_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_model_id: Mapped[str | None] = mapped_column(String(200))
    default_cpu_millicores: Mapped[int] = mapped_column(Integer, default=1000)
    default_memory_mb: Mapped[int] = mapped_column(Integer, default=2048)
    default_nvidia_gpus: Mapped[int] = mapped_column(Integer, default=0)
    default_num_replicas: Mapped[int] = mapped_column(Integer, default=1)
    default_replication_policy: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    """An autoscaling policy as the API took it; None: fixed at ``default_num_replicas``."""
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Build(Base, Timestamped):
    """An immutable snapshot: project files (file builds) or an MLflow model artifact."""

    __tablename__ = "builds"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(32))
    crn: Mapped[str] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(Text)
    function_name: Mapped[str | None] = mapped_column(String(200))
    kernel: Mapped[str] = mapped_column(String(50), default="python3")
    runtime_identifier: Mapped[str] = mapped_column(String(200), default="")
    registered_model_version_id: Mapped[str | None] = mapped_column(String(200))
    model_uri: Mapped[str | None] = mapped_column(Text)
    model_reference: Mapped[str | None] = mapped_column(String(200))
    """The registered model as the build asked for it (``name@alias``, ``name/3``, ``name``)."""
    files_sha256: Mapped[str | None] = mapped_column(String(64))
    """Digest of the build's files (the project snapshot or the model artifact) when built."""
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=BuildStatus.PENDING)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    built_at: Mapped[datetime | None] = mapped_column(DateTime)
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Deployment(Base, Timestamped):
    __tablename__ = "deployments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    build_id: Mapped[str] = mapped_column(ForeignKey("builds.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[str] = mapped_column(String(32))
    crn: Mapped[str] = mapped_column(String(200))
    cpu: Mapped[float] = mapped_column(Float, default=1.0)
    memory: Mapped[float] = mapped_column(Float, default=2.0)
    nvidia_gpus: Mapped[int] = mapped_column(Integer, default=0)
    replicas: Mapped[int] = mapped_column(Integer, default=1)
    """The count the backend runs now (an autoscaling policy's evaluator changes it)."""
    autoscaling_policy: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    """An autoscaling replication policy; None: ``replicas`` fixed."""
    environment: Mapped[dict[str, str]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default=DeploymentStatus.PENDING)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    deployed_at: Mapped[datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime)
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


def _replication_policy(dep: Deployment) -> ReplicationPolicy:
    return ReplicationPolicy.of(dep.autoscaling_policy, dep.replicas)


Deployment.replication_policy = property(
    _replication_policy, doc="The deployment's replication policy, as the API reports it."
)


class DeploymentEvent(Base):
    """One entry of a deployment's history: an autoscaling decision, an alert, ... (``kind``),
    when (``ts_ms``), in words, with the figures behind it."""

    __tablename__ = "deployment_events"
    __table_args__ = (Index("ix_events_deployment_time", "deployment_id", "ts_ms"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(50))
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Job(Base, Timestamped):
    """A script of a project run by hand, on a cron schedule, or when its parent job succeeds."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    name: Mapped[str] = mapped_column(String(200))
    script: Mapped[str] = mapped_column(Text)
    arguments: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    parent_job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(20), default="manual")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    cpu: Mapped[float] = mapped_column(Float, default=1.0)
    memory: Mapped[float] = mapped_column(Float, default=1.0)
    timeout: Mapped[int] = mapped_column(Integer, default=0)
    kill_on_timeout: Mapped[bool] = mapped_column(Boolean, default=True)
    environment: Mapped[dict[str, str]] = mapped_column(default=dict)
    kernel: Mapped[str | None] = mapped_column(String(50), default="python3")
    runtime_identifier: Mapped[str | None] = mapped_column(String(300), default="")
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class JobRun(Base, Timestamped):
    """One execution of a job; ``pid`` and ``api_key_id`` let a restarted server clean up."""

    __tablename__ = "job_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    job: Mapped[Job] = relationship(lazy="joined", innerjoin=True)
    project_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(20), default=JobRunStatus.SCHEDULING)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    triggered_by: Mapped[str] = mapped_column(String(100), default="manual")
    arguments: Mapped[str] = mapped_column(Text, default="")
    environment: Mapped[dict[str, str]] = mapped_column(default=dict)
    pid: Mapped[int | None] = mapped_column(Integer)
    api_key_id: Mapped[str | None] = mapped_column(String(32))
    starting_at: Mapped[datetime | None] = mapped_column(DateTime)
    running_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    creator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)


def _from_job(name: str) -> property:
    """A run runs with its job's resources and runtime; the API reports them on the run."""
    return property(lambda run: getattr(run.job, name), doc=f"The job's {name}.")


for _name in ("kernel", "cpu", "memory", "runtime_identifier"):
    setattr(JobRun, _name, _from_job(_name))


# The status of a job's newest run, read in the same query as the job (what the API lists).
Job.latest_run_status = column_property(
    select(JobRun.status)
    .where(JobRun.job_id == Job.id)
    .order_by(JobRun.created_at.desc())
    .limit(1)
    .correlate_except(JobRun)
    .scalar_subquery()
)


ONE_REQUEST = literal_column("prediction_uuid") != literal_column("''")
"""Rows of one request each (aggregate rows have an empty uuid). A literal, not a bound value:
SQLite uses a partial index only for a query that repeats its WHERE term as written."""


class PredictionMetric(Base):
    """One request through ``POST /model`` (or one aggregate row, with an empty uuid)."""

    __tablename__ = "prediction_metrics"
    __table_args__ = (
        Index("ix_metrics_model_time", "model_crn", "start_ms"),
        Index("ix_metrics_deployment_time", "deployment_crn", "start_ms"),
        # The console's charts read a model's requests from this index alone (no table rows).
        Index(
            "ix_metrics_requests",
            "model_crn",
            "start_ms",
            "status_code",
            "latency_ms",
            sqlite_where=ONE_REQUEST,
            postgresql_where=ONE_REQUEST,
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prediction_uuid: Mapped[str] = mapped_column(String(64), index=True, default="")
    model_crn: Mapped[str] = mapped_column(String(200))
    build_crn: Mapped[str] = mapped_column(String(200), default="")
    deployment_crn: Mapped[str] = mapped_column(String(200))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    replica_id: Mapped[str | None] = mapped_column(String(100))
    status_code: Mapped[int | None] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ReplicaSample(Base):
    """CPU and memory one replica used against its limits at one moment."""

    __tablename__ = "replica_samples"
    __table_args__ = (Index("ix_samples_deployment_time", "deployment_id", "ts_ms"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(String(32))
    replica_id: Mapped[str] = mapped_column(String(100))
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20))
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    cpu_percent: Mapped[float] = mapped_column(Float)
    cpu_limit: Mapped[float] = mapped_column(Float)
    memory_mb: Mapped[float] = mapped_column(Float)
    memory_limit_mb: Mapped[float] = mapped_column(Float)


class AlertAction(Base):
    """The job a deployment's alerts start (e.g. a retrain job), one per deployment."""

    __tablename__ = "alert_actions"
    deployment_id: Mapped[str] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))


def make_engine(url: str) -> Engine:
    """An engine that tolerates the server's worker threads sharing one SQLite file."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    Base.metadata.create_all(engine)
    add_missing_columns(engine)
    add_missing_indexes(engine)
    with engine.begin() as connection:  # run states of older versions, in CML's spelling now
        connection.execute(
            text(
                "UPDATE job_runs SET status = 'ENGINE_' || UPPER(status) "
                "WHERE status NOT LIKE 'ENGINE_%'"
            )
        )
    return sessionmaker(engine, expire_on_commit=False)


def add_missing_indexes(engine: Engine) -> list[str]:
    """Create the indexes a newer version declares on tables an older one made (``create_all``
    skips a table that exists, indexes included); the names of those created."""
    existing = inspect(engine)
    added = []
    for table in Base.metadata.sorted_tables:
        have = {index["name"] for index in existing.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in have:
                index.create(engine, checkfirst=True)
                added.append(index.name)
    return added


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the columns a newer version declares to the tables an older one made, so an existing
    LAB_HOME keeps its records across an upgrade; ``table.column`` of each added one."""
    existing = inspect(engine)
    added = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            have = {column["name"] for column in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = column.default.arg if column.default is not None else None
                quoted = default.replace("'", "''") if isinstance(default, str) else None
                literal = "" if quoted is None else f" DEFAULT '{quoted}'"
                connection.execute(
                    text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{literal}')
                )
                added.append(f"{table.name}.{column.name}")
    return added
