"""Configuration that keeps a development instance safe: its own secret key, loopback unless a key is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from saas.config import ConfigError, check_bind, config_from_env, instance_secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_each_instance_makes_its_own_secret_key_and_keeps_it(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"

    key = instance_secret_key(first)

    assert len(key) >= 60
    assert instance_secret_key(first) == key  # web, worker and scheduler agree
    assert instance_secret_key(second) != key
    assert (first / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize("address", ["127.0.0.1:5000", "[::1]:5000", "localhost:5000", "unix:/tmp/web.sock"])
def test_loopback_binds_need_no_secret_key(address):
    check_bind([address], env={})


@pytest.mark.parametrize("address", ["0.0.0.0:5000", "[::]:80", "203.0.113.5:5000", "example.com:80"])
def test_binding_beyond_loopback_without_a_secret_key_is_refused(address):
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        check_bind([address], env={})
    check_bind([address], env={"SECRET_KEY": "a-real-secret"})


def test_gunicorn_refuses_to_start_on_all_interfaces_without_a_secret_key(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(HOST="0.0.0.0", PORT="0", INSTANCE_DIR=str(tmp_path))  # noqa: S104
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "saas:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set to serve on 0.0.0.0:0" in result.stderr


def test_development_never_falls_back_to_a_key_written_in_the_source():
    key = config_from_env({"APP_ENV": "development"})["SECRET_KEY"]

    assert key not in (Path(ROOT / "saas" / "config.py").read_text())
    assert key != "development-only-secret-key-change-me"
