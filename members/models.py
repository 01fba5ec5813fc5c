import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from members.names import (
    FORMER_MEMBER,
    MAX_LENGTH,
    NAME_TAKEN,
    normalize_display_name,
    validate_display_name,
)
from members.text import name_keys, validate_single_line

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member. Everyone else sees only ``display_name``, never the email."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=MAX_LENGTH, validators=[validate_display_name])
    name_key = models.CharField(
        max_length=200,
        editable=False,
        default="",
        help_text="The display name's first look-alike key (members.text.name_keys), unique.",
    )
    name_shape = models.CharField(
        max_length=200,
        editable=False,
        default="",
        help_text="The display name's second look-alike key (members.text.name_keys), unique.",
    )
    pronouns = models.CharField(max_length=40, blank=True, validators=[validate_single_line])
    time_zone = models.CharField(max_length=64, default="UTC")
    email_reminders = models.BooleanField(
        "email reminders", default=True, help_text="Send me reminders before meetings."
    )
    no_follow_ups = models.BooleanField(
        "Don't contact me after meetings",
        default=False,
        help_text="Facilitators won't be able to send you a follow-up message. If you ask "
        "for support they are still told, and the help available is shown to you.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="unique_display_name_ci"),
            models.UniqueConstraint(
                fields=["name_key"], condition=~Q(name_key=""), name="unique_display_name_key"
            ),
            models.UniqueConstraint(
                fields=["name_shape"], condition=~Q(name_shape=""), name="unique_display_name_shape"
            ),
        ]

    def __str__(self):
        return self.display_name

    @classmethod
    def with_name_like(cls, name: str):
        """Members whose display name is ``name`` or looks like it (members.text)."""
        keys = name_keys(name)
        return cls.objects.filter(models.Q(name_key__in=keys) | models.Q(name_shape__in=keys))

    def clean(self):
        super().clean()
        if self.display_name and User.with_name_like(self.display_name).exclude(pk=self.pk):
            raise ValidationError({"display_name": NAME_TAKEN})

    def save(self, *args, **kwargs):
        self.display_name = normalize_display_name(self.display_name)
        self.name_key, self.name_shape = name_keys(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "name_shape"}
        super().save(*args, **kwargs)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


def user_display(user) -> str:
    """How allauth (and everything else) names a member: the pseudonym only."""
    return getattr(user, "display_name", "") or FORMER_MEMBER


def display_name_of(user) -> str:
    """The name to show for the author of something; deleted accounts are a former member."""
    return user.display_name if user is not None else FORMER_MEMBER
