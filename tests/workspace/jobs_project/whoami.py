"""Prints which user the run's own API key acts as."""

from workspace.client import WorkspaceClient

print("acting as", WorkspaceClient().get_current_user().username)
