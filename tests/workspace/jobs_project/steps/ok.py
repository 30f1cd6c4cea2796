"""Succeeds at once: the cheapest job, for dependency chains."""

print("ok")
