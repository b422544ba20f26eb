"""Bad inputs that used to slip through (issue 10), each refused with a message that names it.

The defects covered elsewhere, beside the code they concern: the ambiguous 0/1 up
mask, up=None/5, complex Q, initial=True and rates of 1e308 (test_ctmc.py);
availability_at(1e300) and horizons too long to integrate (test_cluster.py);
simulate's size guard, Student's t and the zero-width interval (test_simulate.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm

UNIT = hm.Component("u", mtbf="1y", mttr="4h")


def test_k_of_n_given_one_model_instead_of_a_list():
    """It raised "'Component' object is not iterable"."""
    with pytest.raises(TypeError, match="one model, not a sequence of models"):
        hm.k_of_n(1, UNIT)


def test_importance_of_something_that_is_not_a_model():
    """It raised "'str' object has no attribute 'measures'"."""
    with pytest.raises(TypeError, match="importance: 'x' is not a model"):
        hm.importance("x")


@pytest.mark.parametrize("models, error, match", [
    ({"a": 5}, TypeError, "'a' is 5, not a model"),
    ({}, ValueError, "no models given"),
    (5, TypeError, "expected a mapping of label to model"),
])
def test_compare_names_what_is_not_a_model(models, error, match):
    with pytest.raises(error, match=match):
        hm.compare(models)


@pytest.mark.parametrize("digits", [-1, 0, 2.5, True, 18])
def test_compare_digits_must_be_a_count_of_digits(digits):
    with pytest.raises(ValueError, match=f"digits = {digits!r}"):
        hm.compare({"u": UNIT}, digits=digits)


def test_compare_unknown_measure_and_time_unit():
    with pytest.raises(ValueError, match=r"unknown measure\(s\) \['Outages'\]"):
        hm.compare({"u": UNIT}, ["Outages"])
    # A misspelt event was a column of zeros; an event of hamodel's patterns is 0 for a
    # model that cannot have it.
    with pytest.raises(ValueError, match=r"\['split_brian'\].*'split_brain'"):
        hm.compare({"u": UNIT}, ["split_brian"])
    assert hm.compare({"u": UNIT}, ["split_brain"]).iloc[0, 0] == 0.0
    with pytest.raises(ValueError, match="time_unit = 'hours'"):
        hm.compare({"u": UNIT}, time_unit="hours")


def test_nan_in_a_phase_type_matrix_is_named_as_such():
    """It was reported as "some down state never returns to an up state"."""
    with pytest.raises(ValueError, match="NaN or infinite"):
        hm.PhaseType([1.0], [[np.nan]])


@pytest.mark.parametrize("q", ["0.5", None, True])
def test_quantile_levels_must_be_numbers(q):
    """The string "0.5" was accepted and converted."""
    with pytest.raises(TypeError, match="quantile level"):
        UNIT.outage_duration().quantile(q)


def test_labels_with_latex_special_characters_are_escaped_in_pdf_tables():
    """A design labelled "pair, 1 y link, 99 %" made notebook 04's PDF fail: the % began a
    LaTeX comment that swallowed the rest of the table row and its line end."""
    label = "pair, 99 % & more_x #1"
    latex = hm.compare({label: UNIT})._repr_latex_()
    assert r"pair, 99 \% \& more\_x \#1 &" in latex
    assert "99 %" not in latex
    assert r"Mean outage duration & 4 & h \\" in UNIT.measures()._repr_latex_()
