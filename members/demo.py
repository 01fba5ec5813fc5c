"""Demo accounts for trying every role at once. Created only by ``seed_demo``."""

from allauth.account.models import EmailAddress

from members.models import User

DEMO_PASSWORD = "hearth-demo-2026"  # noqa: S105 - published in the README on purpose
DEMO_ACCOUNTS = [
    # (key, email, display name, pronouns, staff)
    ("host", "host@hearth.example", "River", "they/them", False),
    ("facilitator", "facilitator@hearth.example", "Maya", "she/her", False),
    ("alex", "alex@hearth.example", "Alex", "he/him", False),
    ("sam", "sam@hearth.example", "Sam", "", False),
    ("jo", "jo@hearth.example", "Jo", "she/they", False),
    ("staff", "staff@hearth.example", "Hearth staff", "", True),
]


def seed_members() -> dict[str, User]:
    """Create or refresh the demo accounts; safe to run again."""
    users = {}
    for key, email, display_name, pronouns, staff in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.display_name = display_name
        user.pronouns = pronouns
        user.is_staff = staff
        user.is_superuser = staff
        user.is_active = True
        user.time_zone = user.time_zone or "UTC"
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[key] = user
    return users
