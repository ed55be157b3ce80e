class TenantError(ValueError):
    """A tenancy rule refused the request; the message is safe to show to the user."""

    field: str | None = None  # the form field the message belongs to, if any


class NotAllowed(TenantError):
    """The actor's role does not allow this change."""

    field = "role"


class LastOwner(TenantError):
    pass


class AlreadyMember(TenantError):
    field = "email"


class InvitationForSomeoneElse(TenantError):
    """The signed-in user is not the person the invitation was sent to."""


class InvalidTimezone(TenantError):
    field = "timezone"
