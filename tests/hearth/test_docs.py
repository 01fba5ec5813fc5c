"""What the docs say that a test can check: the beat schedule, the settings table, and
that no stale copy of either comes back elsewhere."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
UNITS = {"s": 1, "min": 60, "minute": 60, "hour": 3600, "h": 3600, "day": 86400}


def table_after(text: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table after ``heading``."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


def seconds(every: str) -> float:
    match = re.fullmatch(r"(\d+)?\s*([a-z]+)", every.strip())
    assert match, f"can't read {every!r} as a period"
    return int(match.group(1) or 1) * UNITS[match.group(2)]


def test_the_beat_table_in_the_architecture_is_the_beat_schedule():
    rows = table_after((ROOT / "docs/architecture.md").read_text(), "## Celery beat")
    documented = {row[0].strip("`"): seconds(row[1]) for row in rows}
    scheduled = {}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        schedule = entry["schedule"]
        scheduled[entry["task"]] = (
            schedule.total_seconds() if isinstance(schedule, timedelta) else float(schedule)
        )
    assert documented == scheduled


def test_no_other_page_keeps_a_copy_of_the_beat_schedule():
    copies = [doc.name for doc in DOCS if re.search(r'"schedule"\s*:', doc.read_text())]
    assert copies == []


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "hearth/settings.py").read_text()
    return set(
        re.findall(r'env_(?:str|bool|int|float|list|url)\(\s*"([A-Z][A-Z0-9_]*)"', source)
    ) | set(re.findall(r'os\.environ(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]*)"', source))


def test_the_rate_limit_table_in_security_is_the_declared_limits():
    from hearth.ratelimits import LIMITS

    rows = table_after((ROOT / "docs/security.md").read_text(), "## Rate limits")
    documented = {row[0].strip("`"): row[1] for row in rows}
    assert set(documented) == set(LIMITS)
    for name, limit in LIMITS.items():
        count, period = limit.rate.split("/")
        assert documented[name].startswith(f"{count} "), name
        stated = documented[name].split(" ", 1)[1].replace("an ", "1 ").replace("in ", "")
        assert seconds(stated.rstrip("s")) == seconds(period.replace("m", "min")), name


def test_the_readmes_configuration_table_names_every_variable_the_settings_read():
    rows = table_after((ROOT / "README.md").read_text(), "## Configuration")
    documented = {row[0].strip("`") for row in rows}
    assert documented == variables_read_by_settings()


def test_the_settings_read_the_environment_only_through_the_typed_helpers():
    source = (ROOT / "hearth/settings.py").read_text()
    assert "os.environ" not in source and "getenv" not in source
