"""Settings and small shared pieces of the workspace (ids, keys)."""
