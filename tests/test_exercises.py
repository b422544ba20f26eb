"""Exercise self-checks (hm.check_answer) and the student build (make student).

The expected answers in hamodel/_data/exercises/NN.yaml are independent of the
notebooks' solution cells only in that they were written down once; what ties
them is that every check cell of the teacher's notebooks stores "correct", and
nbval reruns those cells, so a solution and its expected answer cannot drift
apart without a failing test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import hamodel as hm
from hamodel import exercises
from notebook_support import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ANSWERS = ROOT / "hamodel" / "_data" / "exercises"
CALL = re.compile(r"check_answer\(\s*['\"](\d\d\.\d+)['\"]\s*,\s*([A-Za-z_]\w*)\s*\)")


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _checks():
    """(notebook path, cell index, exercise, variable) of every check cell."""
    found = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                for match in CALL.finditer(cell.source):
                    found.append((path, i, match.group(1), match.group(2)))
    return found


CHECKS = _checks()


@pytest.fixture
def answers(tmp_path, monkeypatch):
    """A data folder of our own with one answer file, 77.yaml."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    monkeypatch.setattr("hamodel.data.DATA_DIR", tmp_path)
    exercises._answers.cache_clear()
    yield folder
    exercises._answers.cache_clear()


def _write(folder: Path, text: str) -> None:
    (folder / "77.yaml").write_text(text)


# ----------------------------------------------------------------- the checker


def test_numbers_within_the_tolerance_are_correct(answers):
    _write(answers, '"77.1": {answer: 100.0, unit: min, rtol: 0.05}\n')
    assert hm.check_answer("77.1", 104.9)
    assert hm.check_answer("77.1", 95.1)
    assert not hm.check_answer("77.1", 105.1)
    assert "too high" in repr(hm.check_answer("77.1", 106))
    assert "too low" in repr(hm.check_answer("77.1", 94))
    assert "100" not in repr(hm.check_answer("77.1", 94)), "a wrong answer must not reveal it"


def test_numpy_scalars_and_one_element_arrays_are_numbers(answers):
    np = pytest.importorskip("numpy")
    _write(answers, '"77.1": {answer: 2.5}\n')
    assert hm.check_answer("77.1", np.float64(2.5))
    assert hm.check_answer("77.1", np.array([2.5]))


def test_default_tolerance_is_two_percent_and_atol_helps_near_zero(answers):
    _write(answers, '"77.1": {answer: 50}\n"77.2": {answer: 0.0, atol: 0.001}\n')
    assert hm.check_answer("77.1", 50.9) and not hm.check_answer("77.1", 51.1)
    assert hm.check_answer("77.2", 0.0005) and not hm.check_answer("77.2", 0.002)


def test_words_ignore_case_hyphens_and_spaces(answers):
    _write(answers, '"77.1": {answer: [cold standby, cold], hint: The one that cannot fail idle.}\n')
    assert hm.check_answer("77.1", "Cold-Standby ")
    assert hm.check_answer("77.1", "COLD")
    wrong = hm.check_answer("77.1", "hot")
    assert not wrong and "Hint: The one that cannot fail idle." in repr(wrong)


def test_the_blank_is_no_answer_yet_not_an_error(answers):
    _write(answers, '"77.1": {answer: 3, unit: h}\n')
    check = hm.check_answer("77.1", ...)
    assert check.correct is None and not check
    assert repr(check) == ("Exercise 77.1: no answer yet. Replace ... with your answer "
                           "(a number, in h).")


@pytest.mark.parametrize("answer", ["three", None, float("nan"), True, [1, 2]])
def test_answers_of_the_wrong_kind_are_named(answers, answer):
    _write(answers, '"77.1": {answer: 3, unit: h}\n')
    check = hm.check_answer("77.1", answer)
    assert check.correct is False and "expected a number, in h" in repr(check)


def test_unknown_exercises_and_malformed_ids_are_refused(answers):
    _write(answers, '"77.1": {answer: 3}\n')
    with pytest.raises(ValueError, match=r"unknown exercise '77\.9'.*77\.1"):
        hm.check_answer("77.9", 3)
    with pytest.raises(ValueError, match=r"must look like '03\.2'.*'exercise 1'"):
        hm.check_answer("exercise 1", 3)
    with pytest.raises(ValueError, match=r"no answers for notebook '76'"):
        hm.check_answer("76.1", 3)


@pytest.mark.parametrize("text, message", [
    ('"77.1": {answer: 3, tolerance: 0.1}\n', r"unknown key\(s\) \['tolerance'\]"),
    ('"77.1": {unit: h}\n', r"a mapping with an 'answer'"),
    ('"78.1": {answer: 3}\n', r"a key like '77.1'"),
    ("- 1\n- 2\n", r"a mapping of exercise -> entry"),
])
def test_malformed_answer_files_are_refused_with_the_file_named(answers, text, message):
    _write(answers, text)
    with pytest.raises(ValueError, match=message) as info:
        hm.check_answer("77.1", 3)
    assert "77.yaml" in str(info.value)


# ------------------------------------------------------- the shipped exercises


def test_there_are_self_checks():
    assert len(CHECKS) >= 1


@pytest.mark.parametrize("path, index, exercise, variable", CHECKS,
                         ids=[c[2] for c in CHECKS])
def test_every_check_cell_follows_its_solution_and_stores_correct(path, index, exercise,
                                                                  variable):
    nb = nbformat.read(path, as_version=4)
    assert exercise.startswith(path.name[:2] + "."), f"{exercise} checked in {path.name}"
    solution = nb.cells[index - 1]
    assert solution.cell_type == "code" and "solution" in _tags(solution), (
        f"{path.name} cell {index}: the cell before a check must be a `solution` code cell")
    assert re.search(rf"^{variable}\s*=", solution.source, flags=re.M), (
        f"{path.name} cell {index - 1}: the solution does not assign {variable!r}")
    assert "solution" not in _tags(nb.cells[index]), "the check itself must stay in the student build"
    shown = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                    for o in nb.cells[index].outputs)
    assert f"Exercise {exercise}: correct" in shown, (path.name, index, shown)


def test_every_expected_answer_is_checked_once():
    checked = [c[2] for c in CHECKS]
    assert len(checked) == len(set(checked)), "an exercise is checked twice"
    written = []
    for file in sorted(ANSWERS.glob("*.yaml")):
        written += list(exercises._answers(file.stem))
    assert sorted(written) == sorted(checked)


# ----------------------------------------------------------- the student build


def test_student_build_blanks_the_solutions_and_clears_outputs(tmp_path):
    """`make student`'s command on every notebook, into tmp_path."""
    subprocess.run([sys.executable, "-m", "hamodel.exercises", *map(str, NOTEBOOKS),
                    str(tmp_path)], cwd=ROOT, check=True, capture_output=True, text=True)
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        student = nbformat.read(tmp_path / path.name, as_version=4)
        nbformat.validate(student)
        kept = [c for c in original.cells if "remove-cell" not in _tags(c)]
        assert len(student.cells) == len(kept), path.name
        for before, after in zip(kept, student.cells):
            if "solution" in _tags(before):
                assert "answer" in _tags(after) and before.source not in after.source
            else:
                assert after.source == before.source, path.name
            if after.cell_type == "code":
                assert after.outputs == [] and after.execution_count is None, path.name
    for path, index, exercise, variable in CHECKS:
        student = json.loads((tmp_path / path.name).read_text())
        kept = [c for c in nbformat.read(path, as_version=4).cells
                if "remove-cell" not in _tags(c)]
        blank = student["cells"][kept.index(nbformat.read(path, as_version=4).cells[index]) - 1]
        assert blank["source"].endswith(f"{variable} = ..."), blank["source"]


def test_a_student_notebook_runs_top_to_bottom_and_says_no_answer_yet(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    path = next(p for p, *_ in CHECKS)
    subprocess.run([sys.executable, "-m", "hamodel.exercises", str(path), str(tmp_path)],
                   check=True, capture_output=True, text=True)
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    shown = [o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if CALL.search(c.source)]
    assert shown and all("no answer yet" in s for s in shown), shown
