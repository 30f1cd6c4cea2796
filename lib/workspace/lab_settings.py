"""The JupyterLab defaults a session starts with: percent-format scripts open as notebooks.

Why: the numbered steps are ``.py`` scripts with ``# %%`` cells, and "open the notebook in a
session" should show cells, not text. JupyterLab picks a file's viewer by its file type, so
jupytext's "Jupytext Notebook" becomes the default viewer of Python files (the text editor stays
one right click away, Open With > Editor), and a notebook whose file names no kernel starts the
default one, which is the project environment's ``python3``, without asking. A session may have no
internet, so the lab does not ask to fetch Jupyter's news or look for updates.

How: JupyterLab reads admin defaults from ``overrides.json`` in its application settings folder;
each session gets its own folder, holding the lab's own overrides (if any) with these on top, so a
user's own settings still win and nothing outside the session changes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

NOTEBOOK_VIEWER = "Jupytext Notebook"
SESSION_DEFAULTS: dict[str, dict[str, object]] = {
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": NOTEBOOK_VIEWER}},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
OVERRIDES = "overrides.json"


def lab_overrides() -> dict[str, dict[str, object]]:
    """The overrides of the lab's own JupyterLab (in the folder it reads them from by default)."""
    app_dir = os.environ.get("JUPYTERLAB_DIR") or str(Path(sys.prefix, "share", "jupyter", "lab"))
    path = Path(app_dir, "settings", OVERRIDES)
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_session_settings(folder: Path) -> Path:
    """Write the session's application settings into ``folder``; returns it for
    ``--LabApp.app_settings_dir``."""
    overrides = lab_overrides()
    for plugin, values in SESSION_DEFAULTS.items():
        merged = dict(overrides.get(plugin) or {})
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                value = {**merged[key], **value}
            merged[key] = value
        overrides[plugin] = merged
    folder.mkdir(parents=True, exist_ok=True)
    (folder / OVERRIDES).write_text(json.dumps(overrides, indent=1))
    return folder
