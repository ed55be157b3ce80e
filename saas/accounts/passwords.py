"""Password rules (ASVS 2.1) and hashing (argon2id, ASVS 2.4)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from saas.accounts.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 128
_hasher = PasswordHasher()


def check_password_rules(password: str, *, user_inputs: list[str] = ()) -> None:
    """Refuse passwords under 12 or over 128 characters, and common or guessable ones."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    if zxcvbn(password[:64], user_inputs=list(user_inputs))["score"] < 3:
        raise WeakPassword("This password is too common or too easy to guess; try a longer phrase.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
