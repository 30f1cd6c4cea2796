"""``WorkspaceClient``: cmlapi's method names and request fields over the workspace REST API.

Why the calls live in modules of their own and are listed here: one class is what a notebook
user meets (``client.<tab>`` shows every call), while each resource family (projects, models and
their builds and deployments, metrics, jobs, waiting) stays a short module of plain functions
that take the connection. The class body below is the table of contents.
"""

from __future__ import annotations

from workspace.client import (
    _alert_calls,
    _job_calls,
    _metric_calls,
    _model_calls,
    _project_calls,
    _waiting,
)
from workspace.client._connection import Connection


class WorkspaceClient(Connection):
    """Talk to a workspace as cmlapi talks to CML.

    ``api_url`` and ``api_key`` default to LAB_API_URL and LAB_API_KEY (else the key that
    `workspace up` saved on this machine); ``project_id`` (default LAB_PROJECT_ID, set inside
    jobs and sessions) is the project a call means when it is not given one. ``timeout`` is the
    seconds one request may take; waits have their own.

    Example::

        client = WorkspaceClient()
        project = client.create_project(name="PRD", template="local", local_path="prd")
        model = client.create_model(project_id=project.id, name="TimeSeriesQuery")
        build = client.create_model_build(project_id=project.id, model_id=model.id,
                                          file_path="model_tsq.py", function_name="predict")
        client.wait_for_build(project_id=project.id, model_id=model.id, build_id=build.id)
    """

    # users, health, runtimes and projects (_project_calls)
    health = _project_calls.health
    create_user = _project_calls.create_user
    get_current_user = _project_calls.get_current_user
    list_runtimes = _project_calls.list_runtimes
    create_project = _project_calls.create_project
    list_projects = _project_calls.list_projects
    get_project = _project_calls.get_project
    update_project = _project_calls.update_project
    delete_project = _project_calls.delete_project
    add_project_collaborator = _project_calls.add_project_collaborator
    list_project_collaborators = _project_calls.list_project_collaborators

    # models, builds, deployments and replicas (_model_calls)
    create_model = _model_calls.create_model
    list_models = _model_calls.list_models
    list_all_models = _model_calls.list_all_models
    get_model = _model_calls.get_model
    create_model_build = _model_calls.create_model_build
    list_model_builds = _model_calls.list_model_builds
    get_model_build = _model_calls.get_model_build
    get_model_build_logs = _model_calls.get_model_build_logs
    create_model_deployment = _model_calls.create_model_deployment
    list_model_deployments = _model_calls.list_model_deployments
    get_model_deployment = _model_calls.get_model_deployment
    stop_model_deployment = _model_calls.stop_model_deployment
    restart_model_deployment = _model_calls.restart_model_deployment
    update_model_deployment = _model_calls.update_model_deployment
    list_deployment_events = _model_calls.list_deployment_events
    list_model_replicas = _model_calls.list_model_replicas
    read_replica_metrics = _model_calls.read_replica_metrics

    # prediction metrics and the model endpoint (_metric_calls)
    read_metrics = _metric_calls.read_metrics
    track_delayed_metrics = _metric_calls.track_delayed_metrics
    track_aggregate_metrics = _metric_calls.track_aggregate_metrics
    get_prediction_lineage = _metric_calls.get_prediction_lineage
    call_model = _metric_calls.call_model

    # alerts, alert job and training snapshot of a deployment (_alert_calls)
    create_deployment_alert = _alert_calls.create_deployment_alert
    get_training_snapshot = _alert_calls.get_training_snapshot
    set_alert_action = _alert_calls.set_alert_action

    # jobs and job runs (_job_calls)
    create_job = _job_calls.create_job
    list_jobs = _job_calls.list_jobs
    list_all_jobs = _job_calls.list_all_jobs
    get_job = _job_calls.get_job
    update_job = _job_calls.update_job
    delete_job = _job_calls.delete_job
    create_job_run = _job_calls.create_job_run
    list_job_runs = _job_calls.list_job_runs
    get_job_run = _job_calls.get_job_run
    stop_job_run = _job_calls.stop_job_run
    get_job_run_logs = _job_calls.get_job_run_logs

    # polling until a terminal state (_waiting)
    wait_for_build = _waiting.wait_for_build
    wait_for_deployment = _waiting.wait_for_deployment
    wait_for_job_run = _waiting.wait_for_job_run
