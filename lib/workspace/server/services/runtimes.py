"""The runtimes this workspace offers, and which one a build or job named in ``runtime_identifier``.

Why a catalog of records built once: CML runs user code in runtime images (an editor, a kernel,
an edition, a version); the workspace runs it with the Python the server itself runs. Offering
that interpreter as CML-shaped runtime records lets ``list_runtimes`` answer as CML does, and
mapping the identifiers CML code hard-codes (``.../ml-runtime-workbench-python3.9-standard:
2024.02.1-b4``) onto it lets that code run unchanged, while an identifier that is neither is
refused when the build or job is written, naming how to find valid ones.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import metadata

from workspace.schemas.states import RuntimeStatus
from workspace.server.services.errors import InvalidRequest

DISTRIBUTION = "logistics-mlops-lab"
IMAGE_REPOSITORY = "lab.local/logistics-mlops-lab"
EDITORS = ("Workbench", "JupyterLab")
EDITION = "Standard"
ENGINE_KERNEL = "python3"  # what CML's engines call the kernel of a record without a runtime

# <registry>/<path>/ml-runtime-<editor>-<kernel><version>-<edition>:<runtime version>
CML_IMAGE = re.compile(
    r"^(?P<repository>[\w.\-]+(?::\d+)?(?:/[\w.\-]+)*)/ml-runtime-"
    r"(?P<editor>[a-z][a-z\-]*?)-(?P<language>python|r|scala)(?P<language_version>\d+(?:\.\d+)*)"
    r"-(?P<edition>[a-z][a-z\-]*):(?P<full_version>[\w.\-]+)$"
)


@dataclass(frozen=True)
class Runtime:
    """One runtime record, with the fields of CML's ``Runtime``."""

    image_identifier: str
    editor: str
    kernel: str
    edition: str
    description: str
    full_version: str
    status: RuntimeStatus = RuntimeStatus.ENABLED


def lab_version() -> str:
    """The installed lab's version (what a runtime's ``full_version`` is); ``0.0.0`` when the
    lab runs from a source tree that was never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def local_runtimes(version: str, python: tuple[int, int]) -> tuple[Runtime, ...]:
    """The server's own interpreter under each editor the lab uses (jobs: Workbench, notebooks:
    JupyterLab); both run the same Python with the same packages."""
    major, minor = python
    records = []
    for editor in EDITORS:
        image = f"ml-runtime-{editor.lower()}-python{major}.{minor}-{EDITION.lower()}"
        records.append(
            Runtime(
                image_identifier=f"{IMAGE_REPOSITORY}/{image}:{version}",
                editor=editor,
                kernel=f"Python {major}.{minor}",
                edition=EDITION,
                description=f"{editor} on the workspace's Python {major}.{minor}, "
                "with the lab's packages",
                full_version=version,
            )
        )
    return tuple(records)


class RuntimeCatalog:
    """What ``GET /runtimes`` lists and what ``runtime_identifier`` fields may name."""

    def __init__(self, runtimes: tuple[Runtime, ...]) -> None:
        if not runtimes:
            raise ValueError("a runtime catalog needs at least one runtime")
        self.runtimes = runtimes
        self._by_image = {runtime.image_identifier: runtime for runtime in runtimes}

    @classmethod
    def of_this_server(cls) -> RuntimeCatalog:
        return cls(local_runtimes(lab_version(), sys.version_info[:2]))

    def resolve(self, identifier: str, *, field: str = "runtime_identifier") -> Runtime | None:
        """The runtime code given ``identifier`` runs on: one of ours, or for a CML Python
        runtime image ours with the same editor (else the first); ``None`` for an empty one.

        Raises ``InvalidRequest`` naming ``field`` for anything else, since a job or build that
        names a runtime this workspace cannot run must not be created.
        """
        if not identifier:
            return None
        ours = self._by_image.get(identifier)
        if ours is not None:
            return ours
        cml = CML_IMAGE.match(identifier)
        if cml is None:
            raise InvalidRequest(
                f"{field} '{identifier}' is neither a runtime of this workspace nor a CML runtime "
                "image ('<registry>/ml-runtime-<editor>-python<X.Y>-<edition>:<version>'); "
                f"list valid ones with GET /api/v2/runtimes (client.list_runtimes()), e.g. "
                f"'{self.runtimes[0].image_identifier}'"
            )
        if cml["language"] != "python":
            raise InvalidRequest(
                f"{field} '{identifier}' is a CML {cml['language']} runtime; this workspace runs "
                "Python only: list its runtimes with GET /api/v2/runtimes (client.list_runtimes())"
            )
        editor = cml["editor"].rsplit("-", 1)[-1]  # "pbj-workbench": Workbench, PBJ flavoured
        same_editor = [r for r in self.runtimes if r.editor.lower() == editor]
        return (same_editor or self.runtimes)[0]

    def kernel_of(self, identifier: str, requested: str = ENGINE_KERNEL) -> str:
        """The kernel a build or job records: its runtime's, as CML fills it in, else the one it
        asked for (an engine-style ``python3`` when no runtime is named)."""
        runtime = self.resolve(identifier)
        return runtime.kernel if runtime else requested
