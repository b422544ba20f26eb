"""hamodel as a package: import cost, the wheel and the sdist, the declared floors.

The wheel test builds the sdist and the wheel the way a release would (``python -m
build --no-isolation``: offline, with this venv's setuptools), installs the wheel
into a fresh venv outside the checkout and runs a stack end to end there. The new venv
sees this venv's site-packages through a ``.pth`` file, so numpy, scipy and the rest
are not downloaded again; hamodel itself comes only from the wheel (this venv's
editable hamodel is a finder hook that a ``.pth`` path does not load).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import hamodel

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

#: Modules that ``import hamodel`` must not load: each costs a large part of a second
#: (scipy.stats, scipy.optimize), or is optional (stormpy), or opens a GUI backend.
HEAVY = ("scipy.stats", "scipy.optimize", "stormpy", "matplotlib.pyplot")
#: Lenient bound for a loaded CI machine; an idle one imports hamodel in under 1 s.
IMPORT_SECONDS = 1.5


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


def _check(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}")
    return result


# --- import cost ---------------------------------------------------------------------


_PROBE = f"""
import json, sys, time
t = time.perf_counter()
import hamodel
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds,
                  "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def test_version_is_the_one_pyproject_declares():
    """hamodel.__version__ is read from the installed metadata: one number to bump."""
    assert hamodel.__version__ == PYPROJECT["project"]["version"]


def test_import_hamodel_loads_no_heavy_module():
    out = json.loads(_check(_run([sys.executable, "-c", _PROBE], cwd=ROOT)).stdout)
    assert out["loaded"] == [], f"import hamodel loads {out['loaded']}; import them where used"


def test_import_hamodel_is_fast():
    # Best of three fresh interpreters: the first one may pay for a cold disk cache.
    times = [json.loads(_check(_run([sys.executable, "-c", _PROBE], cwd=ROOT)).stdout)["seconds"]
             for _ in range(3)]
    assert min(times) < IMPORT_SECONDS, f"import hamodel took {min(times):.2f} s (best of 3)"


# --- the wheel and the sdist ------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict:
    """The sdist, and the wheel built from it, as `python -m build` makes them."""
    pytest.importorskip("build", reason="the wheel tests need the `build` package "
                                        "(the test extra)")
    out = tmp_path_factory.mktemp("dist")
    _check(_run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                 str(ROOT)]))
    (sdist,) = out.glob("hamodel-*.tar.gz")
    (wheel,) = out.glob("hamodel-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_wheel_carries_the_data_the_license_and_the_type_marker(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    shipped = {p.relative_to(ROOT).as_posix()
               for p in (ROOT / "hamodel" / "_data").rglob("*") if p.is_file()}
    assert shipped and shipped <= names
    assert "hamodel/py.typed" in names and "hamodel/cli.py" in names
    assert any(n.endswith("/licenses/LICENSE") for n in names)
    assert any(n.endswith("share/hamodel/notebooks/14_client_report.ipynb") for n in names)
    assert not any(n.startswith(("tests/", "notebooks/", "data/")) for n in names)
    meta = zipfile.ZipFile(dist["wheel"]).read(
        next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta
    entry = zipfile.ZipFile(dist["wheel"]).read(
        next(n for n in names if n.endswith("dist-info/entry_points.txt"))).decode()
    assert "hamodel = hamodel.cli:main" in entry


def test_sdist_carries_what_the_tests_need(dist):
    names = {n.split("/", 1)[1] for n in tarfile.open(dist["sdist"]).getnames() if "/" in n}
    tracked = _check(_run(["git", "ls-files", "tests", "notebooks"], cwd=ROOT)).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: no list of the test files to compare with")
    wanted = {t for t in tracked if (ROOT / t).is_file()}
    assert wanted <= names, f"missing from the sdist: {sorted(wanted - names)}"
    assert {"pyproject.toml", "README.md", "LICENSE", "Makefile",
            "hamodel/_data/components.csv"} <= names


_END_TO_END = """
import json, sys
from pathlib import Path
import hamodel as hm
assert "site-packages" in hm.__file__, hm.__file__
table = hm.components()
stack = hm.load_stack("ha_mmm_nfs.yaml")
m = stack.measures()
parts = stack.breakdown()
print(json.dumps({"file": hm.__file__, "kinds": len(table), "stack": str(stack.path),
                  "availability": m.availability, "outages": m.outages_per_year,
                  "parts": list(parts.index), "baseline": str(stack.baseline)}))
"""


def test_wheel_installed_outside_the_checkout_runs_a_stack_end_to_end(dist, tmp_path):
    env_dir = tmp_path / "venv"
    _check(_run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)]))
    python = env_dir / "bin" / "python"
    # The dependencies: this venv's site-packages (a .pth line, not the editable hamodel).
    purelib = _check(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                              "['purelib'])"])).stdout.strip()
    (Path(purelib) / "hamodel_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    _check(_run([*pip, "install", "--no-deps", "--no-index", "--no-cache-dir",
                 str(dist["wheel"])]))
    _check(_run([*pip, "check"]))  # every declared dependency is there, at a declared version

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    out = json.loads(_check(_run([str(python), "-c", _END_TO_END], cwd=work, env=env)).stdout)
    assert out["file"].startswith(str(env_dir))
    assert out["stack"].startswith(str(env_dir)) and out["baseline"].startswith(str(env_dir))
    assert out["kinds"] == len(hamodel.components())
    here = hamodel.load_stack("ha_mmm_nfs.yaml").measures()
    assert out["availability"] == here.availability
    assert out["outages"] == here.outages_per_year

    script = env_dir / "bin" / "hamodel"
    result = _check(_run([str(script), "measures", "ha_mmm_nfs.yaml", "--format", "json"],
                         cwd=work, env=env))
    assert json.loads(result.stdout)["stack"]["availability"] == here.availability
    _check(_run([str(python), "-m", "hamodel", "stacks"], cwd=work, env=env))
    # `hamodel report` finds notebook 14 where the wheel put it.
    found = _check(_run([str(python), "-c", "from hamodel.cli import _report_notebook; "
                                            "print(_report_notebook())"], cwd=work, env=env))
    assert found.stdout.strip().startswith(str(env_dir))


# --- the declared floors -----------------------------------------------------------------


def _floors(requirements) -> dict:
    out = {}
    for req in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)\s*", req)
        assert match, f"{req!r}: declare a floor as 'name>=version'"
        out[match.group(1).lower()] = match.group(2)
    return out


def test_every_dependency_declares_a_floor():
    project = PYPROJECT["project"]
    _floors(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        _floors(extra)


@pytest.mark.parametrize("name, floor", [("numpy", "2.0"), ("scipy", "1.14"), ("pandas", "2.2.2"),
                                         ("matplotlib", "3.8.4"), ("pyamg", "5.2")])
def test_floors_are_what_the_code_needs(name, floor):
    # numpy 2: np.bitwise_count; scipy 1.14: sparse.diags_array (1.13) and exact explicit
    # round trips; pandas 2.2.2, matplotlib 3.8.4 and pyamg 5.2: the first releases built
    # for numpy 2. `make test-lowest` runs the suite at these floors.
    assert _floors(PYPROJECT["project"]["dependencies"])[name] == floor


def test_simpy_is_only_a_benchmark_dependency():
    project = PYPROJECT["project"]
    assert "simpy" not in _floors(project["dependencies"])
    assert "simpy" not in _floors(project["optional-dependencies"]["test"])
    assert "simpy" in _floors(project["optional-dependencies"]["bench"])
    for path in [*(ROOT / "hamodel").rglob("*.py"), *(ROOT / "tests").glob("*.py")]:
        assert not re.search(r"^\s*(import|from)\s+simpy", path.read_text(), re.M), path


def test_every_module_is_itself_under_its_dotted_name():
    """`import hamodel.component` gave the data lookup function, which shadowed the module
    (issue 10): no public name of the package may hide a module of the same name."""
    import importlib
    import pkgutil

    import hamodel

    shadowed = []
    for info in pkgutil.walk_packages(hamodel.__path__, "hamodel."):
        module = importlib.import_module(info.name)
        parent, _, name = info.name.rpartition(".")
        if getattr(importlib.import_module(parent), name, module) is not module:
            shadowed.append(info.name)
    assert shadowed == []


def _module_level_imports():
    """{module: modules of hamodel it imports at module level}, read from the source.

    Imports inside functions (deferred on purpose, to keep ``import hamodel`` light) and
    under ``if TYPE_CHECKING:`` do not run at import time and are left out.
    """
    import ast

    package = ROOT / "hamodel"
    graph = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        home = name if parts[-1] == "__init__" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for node in tree.body:  # module level only
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = home
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:  # `from . import x` names a module when x.py exists
                sub = f"{base}.{alias.name}"
                is_module = (ROOT / sub.replace(".", "/")).with_suffix(".py").exists() or (
                    ROOT / sub.replace(".", "/") / "__init__.py").exists()
                targets.add(sub if is_module else base)
        graph[name] = targets - {name}
    return graph


def test_modules_import_each_other_in_one_direction():
    """No import cycle among hamodel's modules at import time (issue 10): a cycle makes
    the result depend on which module a user imports first. A package's __init__ may
    import its own modules; nothing below it may import the package back."""
    graph = _module_level_imports()
    assert "hamodel.tables" in graph and "hamodel.measures" in graph["hamodel.tables"]
    done, cycle = set(), []

    def visit(node, path):
        if node in path:
            cycle.extend(path[path.index(node):] + [node])
            return True
        if node in done:
            return False
        for target in sorted(graph.get(node, ())):
            if visit(target, path + [node]):
                return True
        done.add(node)
        return False

    for module in sorted(graph):
        if visit(module, []):
            break
    assert cycle == [], " -> ".join(cycle)
