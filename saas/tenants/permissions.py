"""Roles and the one table that says what each role may do in a tenant."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    PROGRAM_MANAGER = "program_manager"
    CONSULTANT = "consultant"
    CONSULTANT_VIEWER = "consultant_viewer"
    STAFF = "staff"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return _LABELS.get(self.value) or self.value.replace("_", " ").capitalize()


_LABELS = {"consultant_viewer": "Consultant (read-only)"}


class Permission(StrEnum):
    VIEW = "view"
    WORK_ON_OWN_ITEMS = "work_on_own_items"
    MANAGE_ITEMS = "manage_items"
    EDIT_ROADMAPS = "edit_roadmaps"
    ASSESS_PRACTICES = "assess_practices"
    MANAGE_MEMBERS = "manage_members"
    EDIT_SETTINGS = "edit_settings"
    VIEW_AUDIT = "view_audit"
    EXPORT_DATA = "export_data"
    MANAGE_BILLING = "manage_billing"
    DELETE_TENANT = "delete_tenant"


_PLANNERS = {
    Permission.VIEW,
    Permission.WORK_ON_OWN_ITEMS,
    Permission.MANAGE_ITEMS,
    Permission.EDIT_ROADMAPS,
    Permission.ASSESS_PRACTICES,
    Permission.VIEW_AUDIT,
    Permission.EXPORT_DATA,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.PROGRAM_MANAGER: frozenset(_PLANNERS | {Permission.MANAGE_MEMBERS, Permission.EDIT_SETTINGS}),
    Role.CONSULTANT: frozenset(_PLANNERS),
    Role.CONSULTANT_VIEWER: frozenset({Permission.VIEW, Permission.EXPORT_DATA}),
    Role.STAFF: frozenset({Permission.VIEW, Permission.WORK_ON_OWN_ITEMS}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}

# Outsiders a client let in: their clients make up their portfolio, and the audit log names them.
CONSULTANT_ROLES: frozenset[Role] = frozenset({Role.CONSULTANT, Role.CONSULTANT_VIEWER})


def can(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]


def assignable_roles(by: Role | str) -> list[Role]:
    """Owners may hand out every role; others every role but owner."""
    return [role for role in Role if role is not Role.OWNER or Role(by) is Role.OWNER]


def can_assign(by: Role | str, role: Role | str) -> bool:
    """Whether a member with role `by` may give someone `role`, or take it away from them."""
    return Role(role) in assignable_roles(by)


def role_label(role: Role | str) -> str:
    """A role as people read it ("Consultant (read-only)"); an unknown or retired role as it is stored."""
    try:
        return Role(role).label
    except ValueError:
        return str(role).replace("_", " ").capitalize()
