"""The server's long-lived services, each built with the collaborators it uses (see ``wiring``):
builds, deployments, jobs (scheduler, runner, rules), projects' files, MLflow, telemetry."""
