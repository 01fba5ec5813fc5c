"""What Hearth stores about a member, gathered for "download my data".

Each app registers a section at start-up (in its ``AppConfig.ready``), so this module
never needs to know the higher apps.
"""

from collections.abc import Callable

from django.utils import timezone

Exporter = Callable[[object], object]
_sections: dict[str, Exporter] = {}


def register_section(name: str, exporter: Exporter) -> None:
    _sections[name] = exporter


def profile_section(user) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "pronouns": user.pronouns,
        "time_zone": user.time_zone,
        "email_reminders": user.email_reminders,
        "no_follow_ups": user.no_follow_ups,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in user.emailaddress_set.all()
        ],
    }


register_section("profile", profile_section)


def export_member_data(user) -> dict:
    return {
        "exported_at": timezone.now().isoformat(),
        "format": "hearth-member-data/1",
        **{name: exporter(user) for name, exporter in _sections.items()},
    }
