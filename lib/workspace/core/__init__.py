"""Settings and small pieces every part of the workspace shares (ids, keys, paths in a folder)."""
