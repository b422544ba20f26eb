"""Self-checks for the workbook's exercises, and the student build of a notebook.

Each exercise with a numeric or one-word answer ends with a *check cell*::

    hm.check_answer("03.2", answer)

In the teacher's notebook, the cell before it (tagged ``solution``) computes
``answer``; the check then says "correct", and the test suite keeps it so. In
the student build (``make student``, :func:`student_notebook`) that solution
cell becomes a blank ``answer = ...`` for the student to fill in, and the
check tells them whether their answer is right, without revealing it.

The expected answers live in ``hamodel/_data/exercises/NN.yaml``, one file
per notebook (``NN`` is the notebook's number), one entry per exercise::

    "03.2":
      answer: 3.52          # a number, or a word, or a list of accepted words
      unit: min             # what the number is in (shown to the student)
      rtol: 0.02            # relative tolerance for numbers (default 0.02)
      hint: Solve gap(mttr) = 0 between 1e-4 h and 4 h.

A student who reads that file can see the answers; the check is a help for
learning, not an exam.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .measures import readable_number

__all__ = ["AnswerCheck", "check_answer", "student_notebook"]

_ID = re.compile(r"^(\d\d)\.(\d+)$")
_KEYS = {"answer", "unit", "rtol", "atol", "hint"}
#: The check cell's call: its first argument is the exercise, its second the variable.
_CHECK_CALL = re.compile(r"check_answer\(\s*['\"](\d\d\.\d+)['\"]\s*,\s*([A-Za-z_]\w*)")


@lru_cache(maxsize=None)
def _answers(notebook: str) -> dict:
    import yaml

    from .data import DATA_DIR

    path = DATA_DIR / "exercises" / f"{notebook}.yaml"
    if not path.is_file():
        raise ValueError(f"no answers for notebook {notebook!r}: {path} does not exist")
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a mapping of exercise -> entry, got {type(table).__name__}")
    for key, entry in table.items():
        where = f"{path.name}: exercise {key!r}"
        if not isinstance(key, str) or not _ID.match(key) or not key.startswith(notebook + "."):
            raise ValueError(f"{where}: expected a key like '{notebook}.1' (quoted)")
        if not isinstance(entry, dict) or "answer" not in entry:
            raise ValueError(f"{where}: expected a mapping with an 'answer'")
        unknown = set(entry) - _KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(_KEYS)}")
    return table


@dataclass(frozen=True)
class AnswerCheck:
    """The outcome of :func:`check_answer`.

    Attributes
    ----------
    exercise : str
        The exercise, e.g. ``"03.2"``.
    correct : bool or None
        ``True`` or ``False``; ``None`` while the answer is still ``...``.
    message : str
        What the student reads.
    """

    exercise: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        return self.message


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    try:  # a numpy array or pandas object of size one
        import numpy as np

        array = np.asarray(value)
        if array.size == 1 and np.issubdtype(array.dtype, np.number):
            return float(array.reshape(()))
    except (TypeError, ValueError):
        pass
    return None


def _words(text: str) -> str:
    return " ".join(str(text).lower().replace("-", " ").split())


def check_answer(exercise: str, answer: Any) -> AnswerCheck:
    """Say whether ``answer`` is the answer to an exercise of the workbook.

    Parameters
    ----------
    exercise : str
        ``"NN.k"``: exercise ``k`` of notebook ``NN``.
    answer : number, str or ``...``
        The student's answer. Numbers are accepted within the exercise's
        tolerance (2 % unless it says otherwise); words are compared without
        case, hyphens or extra spaces. ``...`` (the blank of the student
        build) is "no answer yet", not an error.

    Returns
    -------
    AnswerCheck
        Shown as one line; ``bool(check)`` is whether it is correct.

    Raises
    ------
    ValueError
        For an exercise that has no entry in the answer files.

    Examples
    --------
    >>> import hamodel as hm
    >>> hm.check_answer("01.1", ...)
    Exercise 01.1: no answer yet. Replace ... with your answer (a number, in h).
    >>> hm.check_answer("01.1", 9.9633)
    Exercise 01.1: correct (9.963 h).
    >>> hm.check_answer("01.1", 10)
    Exercise 01.1: not yet: 10 h is too high. Hint: Integrate A(t) from 0 to 10 h; the unit starts up, so A(0) = 1 and the answer is a little under 10 h.
    """
    match = _ID.match(str(exercise))
    if not match:
        raise ValueError(f"exercise must look like '03.2' (notebook.number), got {exercise!r}")
    table = _answers(match.group(1))
    if exercise not in table:
        raise ValueError(f"unknown exercise {exercise!r}; notebook {match.group(1)} has "
                         f"{', '.join(sorted(table)) or 'none'}")
    entry = table[exercise]
    expected = entry["answer"]
    unit = entry.get("unit")
    hint = entry.get("hint")
    numeric = _number(expected) is not None
    kind = (f"a number, in {unit}" if unit else "a number") if numeric else "a word or name"
    name = f"Exercise {exercise}"
    if answer is Ellipsis:
        return AnswerCheck(exercise, None, f"{name}: no answer yet. Replace ... with your "
                                           f"answer ({kind}).")
    if numeric:
        got = _number(answer)
        if got is None or not math.isfinite(got):
            return AnswerCheck(exercise, False, f"{name}: expected {kind}, got {answer!r}.")
        want = float(expected)
        rtol = float(entry.get("rtol", 0.02))
        atol = float(entry.get("atol", 0.0))
        ok = abs(got - want) <= max(atol, rtol * abs(want))
        shown = readable_number(got) + (f" {unit}" if unit else "")
        if ok:
            return AnswerCheck(exercise, True, f"{name}: correct ({shown}).")
        side = "high" if got > want else "low"
        text = f"{name}: not yet: {shown} is too {side}."
    else:
        accepted = expected if isinstance(expected, list) else [expected]
        if not isinstance(answer, str):
            return AnswerCheck(exercise, False, f"{name}: expected {kind}, got {answer!r}.")
        if _words(answer) in {_words(a) for a in accepted}:
            return AnswerCheck(exercise, True, f"{name}: correct ({answer}).")
        text = f"{name}: not yet: {answer!r} is not the answer."
    return AnswerCheck(exercise, False, text + (f" Hint: {hint}" if hint else ""))


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _blank_code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["answer"]},
            "outputs": [], "source": source}


def student_notebook(notebook: dict) -> dict:
    """The student build of a notebook (given and returned as nbformat JSON dicts).

    * a ``solution`` code cell followed by a check cell becomes
      ``answer = ...`` (the variable the check reads), with a comment naming
      the exercise;
    * any other ``solution`` code cell becomes an empty code cell, and a
      ``solution`` markdown cell an empty "Your answer" markdown cell;
    * cells tagged ``remove-cell`` are dropped; outputs and execution counts
      are cleared.

    Examples
    --------
    >>> nb = {"cells": [
    ...     {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "answer = 2 + 2",
    ...      "outputs": [], "execution_count": 3},
    ...     {"cell_type": "code", "metadata": {}, "source": 'hm.check_answer("01.9", answer)',
    ...      "outputs": [], "execution_count": 4}],
    ...       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> print(student_notebook(nb)["cells"][0]["source"])
    # Exercise 01.9: your answer
    answer = ...
    """
    out = copy.deepcopy(notebook)
    cells = [c for c in out.get("cells", []) if "remove-cell" not in _tags(c)]
    built = []
    for i, cell in enumerate(cells):
        source = "".join(cell.get("source", ""))
        if "solution" in _tags(cell):
            if cell["cell_type"] == "markdown":
                built.append({"cell_type": "markdown", "metadata": {"tags": ["answer"]},
                              "source": "*Your answer:*"})
                continue
            following = "".join(cells[i + 1].get("source", "")) if i + 1 < len(cells) else ""
            call = _CHECK_CALL.search(following)
            if call:
                built.append(_blank_code(f"# Exercise {call.group(1)}: your answer\n"
                                         f"{call.group(2)} = ..."))
            else:
                built.append(_blank_code("# Your work here"))
            continue
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["source"] = source
        for key in ("id",):
            cell.pop(key, None)
        built.append(cell)
    for n, cell in enumerate(built):  # nbformat 4.5 wants unique cell ids
        cell["id"] = f"cell-{n}"
    out["cells"] = built
    out.setdefault("nbformat", 4)
    out["nbformat_minor"] = max(int(out.get("nbformat_minor", 5)), 5)
    return out


def _main(argv: list[str] | None = None) -> int:
    """``python -m hamodel.exercises IN.ipynb... OUTDIR``: write the student builds."""
    import json
    import sys
    from pathlib import Path

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m hamodel.exercises NOTEBOOK.ipynb... OUTPUT_DIR", file=sys.stderr)
        return 2
    outdir = Path(args[-1])
    outdir.mkdir(parents=True, exist_ok=True)
    for name in args[:-1]:
        source = Path(name)
        notebook = json.loads(source.read_text(encoding="utf-8"))
        text = json.dumps(student_notebook(notebook), indent=1, ensure_ascii=False) + "\n"
        (outdir / source.name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised by `make student` and its test
    raise SystemExit(_main())
