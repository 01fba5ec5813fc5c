"""Static files as production collects them: the room's JavaScript modules import one
another by their fingerprinted names, so a deploy never mixes a new ``room.js`` with
modules a browser cached from the last one."""

import json
import re
from pathlib import Path, PurePosixPath

import pytest
from django.core.management import call_command
from django.test import override_settings

from hearth import settings as production

ROOT = Path(__file__).resolve().parents[2]

RELATIVE_IMPORT = re.compile(
    r"""(?:\b(?:import|export)\b[^;'"]*?\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']"""
)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """``collectstatic`` with the production storage into a fresh directory: the
    directory and its manifest (original name -> hashed name)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STORAGES=production.STORAGES, STATIC_ROOT=root):
        call_command("collectstatic", "--no-input", verbosity=0)
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    return root, manifest


def imports_of(root: Path, name: str) -> list[str]:
    """The static names a collected JavaScript file imports, resolved from its folder."""
    folder = PurePosixPath(name).parent
    text = (root / name).read_text()
    return [
        str(PurePosixPath(*_normalised(folder / url).parts))
        for url in RELATIVE_IMPORT.findall(text)
    ]


def _normalised(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def test_production_collects_static_files_with_the_module_aware_storage():
    assert production.STORAGES["staticfiles"]["BACKEND"] == "hearth.staticfiles.StaticFilesStorage"


def test_the_hashed_room_script_imports_the_hashed_room_modules(collected):
    root, manifest = collected
    imported = imports_of(root, manifest["js/room.js"])
    original_of = {hashed: original for original, hashed in manifest.items()}
    assert [name for name in imported if name not in original_of] == []
    room_modules = {f"js/room/{path.name}" for path in (ROOT / "static/js/room").glob("*.js")}
    originals = {original_of[name] for name in imported}
    assert originals <= room_modules
    assert {"js/room/view.js", "js/room/limits.js", "js/room/socket.js"} <= originals


def test_every_import_of_every_collected_script_resolves_to_a_hashed_file_that_exists(
    collected,
):
    root, manifest = collected
    hashed_names = set(manifest.values())
    to_visit = [hashed for original, hashed in manifest.items() if original.endswith(".js")]
    seen = set()
    broken = []
    while to_visit:
        name = to_visit.pop()
        if name in seen:
            continue
        seen.add(name)
        for imported in imports_of(root, name):
            if imported not in hashed_names or not (root / imported).is_file():
                broken.append(f"{name} imports {imported}")
            else:
                to_visit.append(imported)
    assert broken == []
    assert manifest["js/room/outbox.js"] in seen
