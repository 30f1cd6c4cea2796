"""Runs after count: one line."""

print("report written")
