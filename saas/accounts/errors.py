class AccountError(ValueError):
    """A rule of accounts refused the request; the message is safe to show to the user."""

    field: str | None = None  # the form field the message belongs to, if any


class WeakPassword(AccountError):
    field = "password"


class EmailTaken(AccountError):
    field = "email"


class InvalidToken(AccountError):
    pass
