"""Demo data for ``seed_demo``: each app seeds its own part, in dependency order."""

from members.demo import DEMO_ACCOUNTS, seed_members


def seed_all() -> list[str]:
    users = seed_members()
    return [f"Demo accounts: {', '.join(email for _, email, *_ in DEMO_ACCOUNTS)}"] + [
        f"  {key}: {user.display_name}" for key, user in users.items()
    ]
