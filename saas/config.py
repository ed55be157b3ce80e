"""Configuration from environment variables (12-factor), with safe development defaults.

Every variable the product reads is listed here and in the README's Configuration section.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", Path.cwd() / "instance"))
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def database_url(raw: str | None) -> str:
    """Normalise a DATABASE_URL: the embedded SQLite default, and psycopg 3 for PostgreSQL."""
    if not raw:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'saas.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


def limiter_storage(redis_url: str) -> str:
    """The rate limiter's storage URI for a Redis URL (limits spells sockets redis+unix://)."""
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def instance_secret_key(folder: Path = INSTANCE_DIR) -> str:
    """Outside production without SECRET_KEY: a random key made once for this instance folder.

    No key is shared by every copy of the code, so nothing signed by one instance (unsubscribe
    links, reset links, session cookies) can be forged with a key read from the source. The web,
    worker and scheduler processes of one checkout read the same file; the first one writes it.
    """
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as draft:
            draft.write(secrets.token_urlsafe(48))
        try:
            os.link(draft.name, path)  # atomic: two processes starting at once keep the first key
        except FileExistsError:
            pass
        finally:
            os.unlink(draft.name)
    return path.read_text().strip()


def is_loopback(address: str) -> bool:
    """Whether a bind address ("127.0.0.1:5000", "[::1]:80", "localhost", "unix:/run/app.sock")
    serves this machine only."""
    if address.startswith(("unix:", "fd://")):
        return True
    bracketed = address.startswith("[")
    host = address[1 : address.find("]")] if bracketed else (address.rpartition(":")[0] or address)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(addresses: list[str], env: dict[str, str] | None = None) -> None:
    """Refuse to serve beyond this machine without a SECRET_KEY: strangers could then sign up,
    and every instance's generated key is only as safe as its instance folder."""
    env = dict(os.environ if env is None else env)
    public = [address for address in addresses if not is_loopback(address)]
    if public and not env.get("SECRET_KEY"):
        raise ConfigError(
            f"SECRET_KEY must be set to serve on {', '.join(public)}; "
            "without it, bind to 127.0.0.1 (HOST=127.0.0.1) for local development"
        )


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def config_from_env(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the process environment."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development")
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_env!r}")
    production = app_env == "production"
    secret_key = env.get("SECRET_KEY")
    if production and not secret_key:
        raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret_key or instance_secret_key(),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Database
        # The app's own login role (a member of DATABASE_APP_ROLE, bound by RLS); migrations and the
        # release step connect as the tables' owner through MIGRATION_DATABASE_URL instead.
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        "MIGRATION_DATABASE_URI": database_url(env.get("MIGRATION_DATABASE_URL") or env.get("DATABASE_URL")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_APP_ROLE": env.get("DATABASE_APP_ROLE", "saas_app"),
        # Redis, jobs and rate limits
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", limiter_storage(redis_url)),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "600 per minute"),  # per API token
        # Mail
        "MAIL_URL": env.get("MAIL_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "CMMI Programme <no-reply@localhost>"),
        "MAIL_DIR": env.get("MAIL_DIR", str(INSTANCE_DIR / "mail")),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),  # seconds per SMTP operation
        "MAIL_ALERT_TO": env.get("MAIL_ALERT_TO", ""),  # the operator, told when mail keeps failing
        # Accounts and tenants
        "TRIAL_DAYS": int(env.get("TRIAL_DAYS", "14")),
        "PASSWORD_RESET_HOURS": int(env.get("PASSWORD_RESET_HOURS", "2")),
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "14")),
        "UNSUBSCRIBE_DAYS": int(env.get("UNSUBSCRIBE_DAYS", "90")),
        # Evidence uploads
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "10")),
        # Billing
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        "STRIPE_PRICE_TEAM": env.get("STRIPE_PRICE_TEAM", ""),
        "STRIPE_PRICE_BUSINESS": env.get("STRIPE_PRICE_BUSINESS", ""),
        "STRIPE_PRICE_CONSULTANT": env.get("STRIPE_PRICE_CONSULTANT", ""),
        "BILLING_GRACE_DAYS": int(env.get("BILLING_GRACE_DAYS", "7")),
        # Sessions and cookies
        "SESSION_COOKIE_SECURE": production or _flag("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": (int(env.get("MAX_UPLOAD_MB", "10")) + 1) * 1024 * 1024,
        "FORCE_HTTPS": production,
        # Proxies: how many proxies in front may set X-Forwarded-For/-Proto/-Host/-Port (0: none,
        # the client's own address counts), and the path prefix the app is mounted under ("" : none;
        # a SCRIPT_NAME sent by a client or proxy is ignored).
        "TRUSTED_PROXY_HOPS": int(env.get("TRUSTED_PROXY_HOPS", "0")),
        "SCRIPT_NAME": env.get("SCRIPT_NAME", "").rstrip("/"),
    }
