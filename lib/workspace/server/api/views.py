"""Turn table rows into the response bodies of ``workspace.server.schemas``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.server import db, schemas
from workspace.server.job_schemas import JobOut, JobRunOut


def _user(session: Session, user_id: str) -> schemas.UserRef:
    user = session.get(db.User, user_id)
    return schemas.UserRef(username=user.username if user else "")


def project_out(session: Session, row: db.Project, role: str) -> schemas.ProjectOut:
    creator = _user(session, row.creator_id)
    return schemas.ProjectOut(
        id=row.id,
        name=row.name,
        description=row.description,
        template=row.template,
        local_path=row.local_path,
        git_url=row.git_url,
        status=row.status,
        failure_reason=row.failure_reason,
        environment=row.environment or {},
        creator=creator,
        owner=creator,
        permission=role,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def model_out(session: Session, row: db.Model) -> schemas.ModelOut:
    return schemas.ModelOut(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        description=row.description,
        crn=row.crn,
        access_key=row.access_key,
        auth_enabled=row.auth_enabled,
        registered_model_id=row.registered_model_id,
        default_resources=schemas.ResourceSpec(
            cpu_millicores=row.default_cpu_millicores,
            memory_mb=row.default_memory_mb,
            nvidia_gpus=row.default_nvidia_gpus,
        ),
        default_replication_policy=schemas.ReplicationPolicy(num_replicas=row.default_num_replicas),
        creator=_user(session, row.creator_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def build_out(session: Session, row: db.Build) -> schemas.BuildOut:
    return schemas.BuildOut(
        id=row.id,
        model_id=row.model_id,
        project_id=row.project_id,
        crn=row.crn,
        file_path=row.file_path,
        function_name=row.function_name,
        kernel=row.kernel,
        runtime_identifier=row.runtime_identifier,
        registered_model_version_id=row.registered_model_version_id,
        model_uri=row.model_uri,
        comment=row.comment,
        status=row.status,
        failure_reason=row.failure_reason,
        built_at=row.built_at,
        creator=_user(session, row.creator_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def deployment_out(session: Session, row: db.Deployment) -> schemas.DeploymentOut:
    return schemas.DeploymentOut(
        id=row.id,
        model_id=row.model_id,
        build_id=row.build_id,
        project_id=row.project_id,
        crn=row.crn,
        cpu=row.cpu,
        memory=row.memory,
        nvidia_gpus=row.nvidia_gpus,
        replicas=row.replicas,
        environment=row.environment or {},
        status=row.status,
        failure_reason=row.failure_reason,
        deployed_at=row.deployed_at,
        stopped_at=row.stopped_at,
        creator=_user(session, row.creator_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def job_out(session: Session, row: db.Job, next_run_time: datetime | None) -> JobOut:
    latest = session.scalar(
        select(db.JobRun.status)
        .where(db.JobRun.job_id == row.id)
        .order_by(db.JobRun.created_at.desc())
        .limit(1)
    )
    return JobOut(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        script=row.script,
        arguments=row.arguments,
        schedule=row.schedule,
        timezone=row.timezone,
        parent_job_id=row.parent_job_id,
        type=row.type,
        paused=row.paused,
        cpu=row.cpu,
        memory=row.memory,
        timeout=row.timeout,
        kill_on_timeout=row.kill_on_timeout,
        environment=row.environment or {},
        next_run_time=next_run_time,
        latest_run_status=latest,
        creator=_user(session, row.creator_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def job_run_out(session: Session, row: db.JobRun) -> JobRunOut:
    return JobRunOut(
        id=row.id,
        job_id=row.job_id,
        project_id=row.project_id,
        status=row.status,
        failure_reason=row.failure_reason,
        exit_code=row.exit_code,
        triggered_by=row.triggered_by,
        arguments=row.arguments,
        environment=row.environment or {},
        scheduling_at=row.created_at,
        starting_at=row.starting_at,
        running_at=row.running_at,
        finished_at=row.finished_at,
        creator=_user(session, row.creator_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
