"""What the app believes about the request's origin: only what configured proxies tell it.

With TRUSTED_PROXY_HOPS = n > 0, werkzeug's ProxyFix takes the client address, scheme, host and
port from the last n entries of the X-Forwarded-* headers (those our own proxies appended);
with 0 the headers are ignored, so nobody can pose as another IP (rate limits, throttling) or
as HTTPS. SCRIPT_NAME comes from configuration only: a prefix sent in a request never shapes
the links the app writes (emails included).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class FixedScriptName:
    """Sets SCRIPT_NAME to the configured prefix, whatever the server or the client said."""

    def __init__(self, app: Any, script_name: str) -> None:
        self.app = app
        self.script_name = script_name

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        environ["SCRIPT_NAME"] = self.script_name
        prefixed = self.script_name and (path == self.script_name or path.startswith(self.script_name + "/"))
        environ["PATH_INFO"] = path[len(self.script_name) :] if prefixed else path
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXY_HOPS"]
    wsgi = app.wsgi_app
    if hops > 0:
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0)
    app.wsgi_app = FixedScriptName(wsgi, app.config["SCRIPT_NAME"])
