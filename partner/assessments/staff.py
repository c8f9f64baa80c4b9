"""Onboarding the vendor's staff: a user in the ready-made "Assessment staff" group.

The group (data migration 0002) holds every permission of this app and nothing else, so a
member can run the workspace (queue, reviews, packages, analytics) and cannot touch users
or the rest of the site.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from partner.assessments.errors import ServiceError
from partner.assessments.review import STAFF_GROUP


@dataclass(frozen=True)
class StaffMember:
    user: AbstractUser
    created: bool
    has_password: bool


def staff_group() -> Group:
    """The group, rebuilt if an operator deleted it (same rights as the migration's)."""
    group, created = Group.objects.get_or_create(name=STAFF_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
    return group


@transaction.atomic
def vendor_staff_add(
    *,
    email: str,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> StaffMember:
    """Create (or find, by username or email) a staff user in the staff group.

    Idempotent: running it again for the same person changes nothing but the password,
    when one is given. Without a password the account cannot log in until one is set
    (``manage.py changepassword``).
    """
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError("Give the member's email address", code="EMAIL_REQUIRED")
    User = get_user_model()
    username = username.strip() or email.split("@", 1)[0]
    user = (
        User.objects.filter(username=username).first()
        or User.objects.filter(email__iexact=email).first()
    )
    created = user is None
    if user is None:
        user = User(username=username, email=email)
        user.set_unusable_password()
    if not isinstance(user, AbstractUser):
        raise ServiceError("Unsupported user model", code="USER_MODEL")
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.is_staff = True
    user.is_active = True
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), code="PASSWORD") from None
        user.set_password(password)
    user.save()
    user.groups.add(staff_group())
    return StaffMember(user=user, created=created, has_password=user.has_usable_password())
