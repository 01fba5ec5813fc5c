from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from members.numbers import Range
from members.text import name_keys, validate_one_script, validate_single_line

RETENTION_HOURS = Range(1, 720, "Choose from 1 to 720 hours (30 days).")
MEMBER_LIMIT = Range(
    2, 500, "A member limit is from 2 to 500 people, or empty for no limit. 6 to 12 work best."
)

LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("uk", "Ukrainian"),
    ("ar", "Arabic"),
    ("hi", "Hindi"),
    ("zh", "Chinese"),
    ("ja", "Japanese"),
]


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Circle(models.Model):
    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone can join"
        REQUEST = "request", "By request: a host approves each member"
        INVITE = "invite", "Invite only"

    class Visibility(models.TextChoices):
        LISTED = "listed", "Listed in discovery"
        UNLISTED = "unlisted", "Unlisted: only people with the link"

    name = models.CharField(max_length=80, validators=[validate_single_line, validate_one_script])
    name_key = models.CharField(
        max_length=400,
        editable=False,
        default="",
        help_text="The name's first look-alike key (members.text.name_keys), unique.",
    )
    name_shape = models.CharField(
        max_length=400,
        editable=False,
        default="",
        help_text="The name's second look-alike key (members.text.name_keys), unique.",
    )
    slug = models.SlugField(max_length=80, unique=True)
    topics = models.ManyToManyField(Topic, related_name="circles")
    description = models.CharField(max_length=500)
    language = models.CharField(max_length=8, choices=LANGUAGES, default="en")
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LISTED
    )
    retention_hours = models.PositiveIntegerField(
        default=24,
        validators=RETENTION_HOURS.validators(),
        help_text="How long what is said in a meeting is kept after it ends (1 to 720 hours).",
    )
    crisis_resources = models.TextField(
        blank=True, help_text="Shown to members who need support. Empty: the site's default."
    )
    member_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=MEMBER_LIMIT.validators()
    )
    voice_enabled = models.BooleanField(
        "voice in the talking circle",
        default=False,
        help_text="Members can speak when they hold the talking piece; off: the circle is "
        "text only.",
    )
    agreements_version = models.PositiveIntegerField(default=0)
    staff_hosted_since = models.DateTimeField(
        "looked after by staff since",
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the last host's account was deleted; cleared when someone is "
        "made a host again.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_circle_name_ci"),
            models.UniqueConstraint(
                fields=["name_key"], condition=~Q(name_key=""), name="unique_circle_name_key"
            ),
            models.UniqueConstraint(
                fields=["name_shape"], condition=~Q(name_shape=""), name="unique_circle_name_shape"
            ),
            models.CheckConstraint(
                condition=Q(retention_hours__gte=1, retention_hours__lte=720),
                name="circle_retention_in_range",
            ),
            models.CheckConstraint(
                condition=Q(member_limit__isnull=True) | Q(member_limit__gte=2),
                name="circle_member_limit_at_least_two",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key, self.name_shape = name_keys(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "name_shape"}
        super().save(*args, **kwargs)

    @property
    def join_policy_label(self) -> str:
        return {"open": "Open", "request": "By request", "invite": "Invite only"}.get(
            self.join_policy, self.join_policy
        )

    @property
    def crisis_resources_text(self) -> str:
        return self.crisis_resources.strip() or settings.HEARTH_DEFAULT_CRISIS_RESOURCES


class AgreementVersion(models.Model):
    """One version of a circle's group agreements (Markdown). Never edited, only added."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="agreement_versions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["circle", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "version"], name="unique_agreement_version")
        ]

    def __str__(self):
        return f"{self.circle} agreements v{self.version}"


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"
        HOST = "host", "Host"

    class State(models.TextChoices):
        PENDING = "pending", "Asked to join"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        BANNED = "banned", "Banned"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    accepted_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The agreements version this member last accepted."
    )
    muted_until = models.DateTimeField(
        null=True, blank=True, help_text="Muted in this circle's rooms until then."
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["circle", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="unique_membership"),
        ]
        indexes = [models.Index(fields=["circle", "state", "role"])]

    def __str__(self):
        return f"{self.user} in {self.circle} ({self.role}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def can_facilitate(self) -> bool:
        return self.is_active and self.role in (self.Role.FACILITATOR, self.Role.HOST)

    @property
    def is_host(self) -> bool:
        return self.is_active and self.role == self.Role.HOST

    @property
    def has_current_agreements(self) -> bool:
        return self.accepted_version == self.circle.agreements_version

    def is_muted(self, now=None) -> bool:
        return self.muted_until is not None and self.muted_until > (now or timezone.now())


class Invite(models.Model):
    """A link a host hands out: signed, expiring, revocable, optionally good for one use.

    The link carries a signed token (see ``circles.invites``); this row says whether it
    still works. Tokens are never stored, so a leaked database holds no usable links.
    """

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invites")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    single_use = models.BooleanField(
        "single use", default=False, help_text="The link stops working after one person uses it."
    )
    uses = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["circle", "-created_at"]

    def __str__(self):
        return f"Invite to {self.circle} ({self.status})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_used_up(self) -> bool:
        return self.single_use and self.uses > 0

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_used_up and not self.is_expired()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_used_up:
            return "used"
        if self.is_expired():
            return "expired"
        return "active"
