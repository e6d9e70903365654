"""`RemoteMonitor`: post each epoch's logs to an HTTP server."""

from __future__ import annotations

import json
import urllib.parse
import warnings
from typing import Any

import numpy as np

from kerasx.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """At the end of every epoch, sends ``{"epoch": epoch, **logs}`` to ``root + path`` with
    an HTTP POST request (standard library only).

    The body is form-encoded as ``field=<the logs as JSON>``, or, with ``send_as_json=True``,
    the JSON itself (``Content-Type: application/json``). A server that cannot be reached
    gives a warning; training goes on.

    Args:
        root: the server's base URL.
        path: the path appended to `root`.
        field: the form field holding the JSON (form-encoded bodies only).
        headers: extra HTTP headers (a dict), or None.
        send_as_json: send the JSON as the request body instead of a form field.
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        if headers is not None and not isinstance(headers, dict):
            raise ValueError(
                "Argument `headers` must be a dict of HTTP header names to values, or None. "
                f"Received: headers={headers!r}"
            )
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        send: dict[str, Any] = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        text = json.dumps(send)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = text.encode("utf-8")
            headers["Content-Type"] = "application/json"
        else:
            body = urllib.parse.urlencode({self.field: text}).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # imported here, not with the module: urllib.request loads http, email and ssl
        from urllib import error as url_error
        from urllib import request as url_request

        request = url_request.Request(
            self.root + self.path, data=body, headers=headers, method="POST"
        )
        try:
            with url_request.urlopen(request, timeout=10) as response:
                response.read()
        except (url_error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
