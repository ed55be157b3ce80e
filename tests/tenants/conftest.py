from __future__ import annotations

import pytest

from saas.accounts.models import User
from saas.tenants.models import Tenant
from tests.support import make_tenant, owner_of


@pytest.fixture
def acme() -> Tenant:
    return make_tenant("Acme")


@pytest.fixture
def owner(acme: Tenant) -> User:
    return owner_of(acme)
