"""CML's API v2 client, as ``pip install <workspace>/api/v2/python.tar.gz`` installs it.

Standalone: it imports nothing of the lab (it is installed into users' own environments) and
needs only urllib3. ``default_client()`` reads CML's variables: ``CDSW_API_URL`` (CML's
``.../api/v1`` form: the workspace is its scheme and host) and ``CDSW_APIV2_KEY``.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from cmlapi.api import OPERATIONS, ApiClient, CMLServiceApi, Configuration
from cmlapi.models import (
    AddProjectCollaboratorRequest,
    ApiObject,
    CreateJobRequest,
    CreateJobRunRequest,
    CreateModelBuildRequest,
    CreateModelDeploymentRequest,
    CreateModelRequest,
    CreateProjectRequest,
    CreateRegisteredModelRequest,
)
from cmlapi.rest import ApiException

__version__ = "2.0.0"


def _workspace_url(api_url: str) -> str:
    """``https://host/api/v1`` → ``https://host``: CML's variable names the v1 API."""
    parts = urlsplit(api_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not a URL: {api_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def default_client(url: str | None = None, cml_api_key: str | None = None) -> CMLServiceApi:
    """A client of the workspace at ``url`` with ``Authorization: Bearer <cml_api_key>``;
    each left out is read from ``CDSW_API_URL`` / ``CDSW_APIV2_KEY``, as inside CML."""
    if url is None:
        api_url = os.environ.get("CDSW_API_URL")
        if not api_url:
            raise ValueError("no url given and CDSW_API_URL is not set")
        url = _workspace_url(api_url)
    if cml_api_key is None:
        cml_api_key = os.environ.get("CDSW_APIV2_KEY")
        if not cml_api_key:
            raise ValueError("no cml_api_key given and CDSW_APIV2_KEY is not set")
    client = ApiClient(Configuration(host=url.rstrip("/")))
    client.set_default_header("authorization", f"Bearer {cml_api_key}")
    return CMLServiceApi(client)


__all__ = [
    "OPERATIONS",
    "AddProjectCollaboratorRequest",
    "ApiClient",
    "ApiException",
    "ApiObject",
    "CMLServiceApi",
    "Configuration",
    "CreateJobRequest",
    "CreateJobRunRequest",
    "CreateModelBuildRequest",
    "CreateModelDeploymentRequest",
    "CreateModelRequest",
    "CreateProjectRequest",
    "CreateRegisteredModelRequest",
    "__version__",
    "default_client",
]
