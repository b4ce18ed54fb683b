"""Keep each role's model permissions in step with core.roles.ROLE_PERMISSIONS, and
record logins and role changes in the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from core.requests import current_request
from core.roles import ROLE_PERMISSIONS

from .audit import USER, Action, audit_record


def sync_role_permissions(**kwargs) -> None:
    for role, rules in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for app_label, actions in rules.items():
            codenames = Permission.objects.filter(content_type__app_label=app_label)
            if actions != "*":
                codenames = codenames.filter(codename__regex=r"^(" + "|".join(actions) + r")_")
            wanted = wanted | codenames
        group.permissions.set(wanted)


# --- Audit trail: logins, failed logins, lockouts, logouts and changes of roles --------------
# Connected when this module is imported (NetworksConfig.ready).


def _request_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(user_logged_in, dispatch_uid="kengele-audit-login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(
        actor=user, action=Action.LOGIN, target_type=USER, target_ids=[user.pk], request=request
    )


@receiver(user_logged_out, dispatch_uid="kengele-audit-logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(
            actor=user,
            action=Action.LOGOUT,
            target_type=USER,
            target_ids=[user.pk],
            request=request,
        )


@receiver(user_login_failed, dispatch_uid="kengele-audit-login-failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already taken the password out of `credentials`.
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        details={"username": username.replace("\x00", "")},
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="kengele-audit-locked-out")
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(
        actor=None,
        action=Action.LOCKED_OUT,
        details={"username": str(username or "")[:150].replace("\x00", "")},
        request=request,
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="kengele-audit-groups")
def audit_group_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user put in or taken out of a role group, from either side of the relation."""
    if action == "pre_clear":
        # Which groups a clear removes is only known before it happens.
        instance.kengele_cleared = (
            list(instance.user_set.values_list("pk", flat=True))
            if reverse
            else list(instance.groups.values_list("pk", flat=True))
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = set(getattr(instance, "kengele_cleared", []))
    if not pk_set:
        return
    change = "added" if action == "post_add" else "removed"
    if reverse:  # group.user_set.add(users...)
        users, groups = sorted(pk_set), [instance.name]
    else:
        users = [instance.pk]
        groups = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    request = current_request()
    audit_record(
        actor=_request_user(request),
        action=Action.ROLE_CHANGED,
        target_type=USER,
        target_ids=users,
        details={change: groups},
        request=request,
    )


_FLAGS = ("is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=User, dispatch_uid="kengele-audit-flags-before")
def remember_user_flags(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(_FLAGS)):
        instance.kengele_flags = None
        return
    instance.kengele_flags = User.objects.filter(pk=instance.pk).values(*_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="kengele-audit-flags-after")
def audit_user_flags(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "kengele_flags", None)
    if created:
        before = dict.fromkeys(_FLAGS, False) | {"is_active": True}
    if before is None:
        return
    changed = {
        flag: getattr(instance, flag)
        for flag in _FLAGS
        if before.get(flag) != getattr(instance, flag)
    }
    if not changed:
        return
    request = current_request()
    audit_record(
        actor=_request_user(request),
        action=Action.ROLE_CHANGED,
        target_type=USER,
        target_ids=[instance.pk],
        details=changed,
        request=request,
    )
