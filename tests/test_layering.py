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
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("saas.")}


def wing_of(module: str) -> str:
    return module.split(".")[1]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_sits_below_it(package):
    offences = []
    for path in sorted((SAAS / package).rglob("*.py")):
        for module in imported_modules(path):
            wing = wing_of(module)
            if wing in FORBIDDEN[package]:
                offences.append(f"{path.relative_to(SAAS.parent)} imports {module}")
            if package == "roadmaps" and wing == "billing":
                parent = module.rsplit(".", 1)[0] if module.count(".") > 2 else module
                if parent not in ALLOWED_BILLING_FOR_ROADMAPS:
                    offences.append(f"{path.relative_to(SAAS.parent)} asks billing through {module}")
    assert offences == []
