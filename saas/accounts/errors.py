class AccountError(ValueError):
    """A rule of accounts refused the request; the message is safe to show to the user."""

    field: str | None = None  # the form field the message belongs to, if any


class WeakPassword(AccountError):
    field = "password"


class EmailTaken(AccountError):
    field = "email"


class InvalidToken(AccountError):
    """A link's token is unknown, tampered with or revoked."""

    status = 404  # what a page answers for it


class ExpiredToken(InvalidToken):
    """A link's token was real but is used up or out of date."""

    status = 410


class EmailNotVerified(AccountError):
    """The account has not proved its address yet (needed to join a tenant or make API tokens)."""

    status = 403
