"""Print pip constraints that pin each declared dependency to its floor.

    python3 .ci/floors.py [EXTRA ...] > floors.txt
    pip install -c floors.txt -e '.[EXTRA,...]'

Every ``name>=X`` among ``[project].dependencies`` and the named extras becomes
``name==X``: the oldest versions pyproject.toml claims to work with, which
``make test-lowest`` then tests (pip's equivalent of uv's ``--resolution
lowest-direct``). A requirement without a ``>=`` floor is an error: each floor
must be stated to be tested.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def floors(extras: list[str]) -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        if extra not in project["optional-dependencies"]:
            raise SystemExit(f"floors.py: no extra {extra!r} in {PYPROJECT}")
        requirements += project["optional-dependencies"][extra]
    out: dict[str, str] = {}
    for req in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)\s*", req)
        if match is None:
            raise SystemExit(f"floors.py: {req!r} in {PYPROJECT}: expected 'name>=version'")
        name, version = match.group(1).lower(), match.group(2)
        if out.setdefault(name, version) != version:
            raise SystemExit(f"floors.py: {name} has two floors, {out[name]} and {version}")
    return out


if __name__ == "__main__":
    for name, version in floors(sys.argv[1:]).items():
        print(f"{name}=={version}")
