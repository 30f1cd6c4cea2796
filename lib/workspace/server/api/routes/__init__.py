"""One router per resource, mounted under /api/v2 by ``workspace.server.app``."""
