"""Demo data for seed_demo (see hearth/demo.py)."""


def seed(context: dict) -> list[str]:
    return []
