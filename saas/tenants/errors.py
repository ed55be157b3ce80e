class TenantError(ValueError):
    """A tenancy rule refused the request; the message is safe to show to the user."""


class LastOwner(TenantError):
    pass
