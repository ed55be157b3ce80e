"""Gunicorn settings of the Procfile's web process, read from the environment.

Forwarded headers (X-Forwarded-Proto and friends) are trusted only from FORWARDED_ALLOW_IPS
(default: this machine), never from any client; a server reachable beyond loopback refuses
to start without a SECRET_KEY.
"""

import os

from saas.config import check_bind

bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"]  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server) -> None:
    check_bind(server.cfg.bind)
