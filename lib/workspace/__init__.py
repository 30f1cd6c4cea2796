"""The workspace: a CML-shaped control plane (projects, jobs, models, builds, deployments), its
Python API client and the serving engine behind model endpoints. Knows nothing of logistics."""
