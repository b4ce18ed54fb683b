"""DRF permission built on config.permissions: every view names who may read and who may write."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .permissions import ROLES, roles_of


class RolePermission(BasePermission):
    """Reads: the view's `read_roles` (default: every role). Writes: `write_roles[action]`
    (a dict keyed by the view action), defaulting to nobody."""

    def has_permission(self, request, view) -> bool:
        roles = roles_of(request.user)
        if not roles:
            return False
        action = getattr(view, "action", None)
        write_roles = getattr(view, "write_roles", {})
        if request.method in SAFE_METHODS and action not in write_roles:
            return bool(roles & set(getattr(view, "read_roles", ROLES)))
        return bool(roles & set(write_roles.get(action, ())))
