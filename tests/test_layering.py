"""The direction of dependencies between wings (README, Architecture) is kept by this test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SAAS = Path(__file__).resolve().parent.parent / "saas"
WINGS = ("catalog", "accounts", "tenants", "roadmaps", "billing", "api")
# What each package may NOT import. Infrastructure (extensions, database, mail, jobs) is open to all.
FORBIDDEN = {
    "catalog": {"accounts", "tenants", "roadmaps", "billing", "api"},
    "accounts": {"catalog", "tenants", "roadmaps", "billing", "api"},
    "tenants": {"catalog", "roadmaps", "billing", "api"},
    "billing": {"catalog", "roadmaps", "api"},
    "roadmaps": {"api"},
    "mail": set(WINGS),
}
# Roadmaps ask billing only through its one small entitlements module.
ALLOWED_BILLING_FOR_ROADMAPS = {"saas.billing.entitlements", "saas.billing.errors"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # module.name, so `from saas.billing import entitlements` reads as the submodule
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("saas.")}


def wing_of(module: str) -> str:
    return module.split(".")[1]


def offences_of(package: str, path: Path) -> list[str]:
    """The imports of one file of `package` that break the layering."""
    found = []
    for module in sorted(imported_modules(path)):
        wing = wing_of(module)
        if wing in FORBIDDEN[package]:
            found.append(f"{path.name} imports {module}")
        if package == "roadmaps" and wing == "billing":
            parent = module.rsplit(".", 1)[0] if module.count(".") > 2 else module
            if parent not in ALLOWED_BILLING_FOR_ROADMAPS:
                found.append(f"{path.name} asks billing through {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_sits_below_it(package):
    assert [
        offence for path in sorted((SAAS / package).rglob("*.py")) for offence in offences_of(package, path)
    ] == []


def test_the_check_tells_entitlements_from_the_rest_of_billing(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "from saas.billing import entitlements\n"
        "from saas.billing.entitlements import entitlements_for\n"
        "from saas.billing.gateway import create_customer\n"
        "from saas.api import auth\n"
    )
    assert offences_of("roadmaps", module) == [
        "probe.py imports saas.api.auth",
        "probe.py asks billing through saas.billing.gateway.create_customer",
    ]
