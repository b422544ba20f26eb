"""Tests of hamodel/prism.py: PRISM and Storm models in and out.

Independent references: Storm (stormpy) parses and builds the same PRISM models and
reads the same explicit files with its own parsers, and solves them with its own
engine; PRISM's manual gives the file formats and the 12 states of its poll2 example.
Round trips through ``to_explicit`` / ``from_explicit`` are exact: every rate is written
as its shortest round-trip decimal (``repr``) and read back by a correctly rounded parser.

Bad input: every malformed file raises :class:`hamodel.ModelFileError` naming the file,
the line (when one line is at fault) and the offending value.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import hamodel as hm
from hamodel import prism

State = collections.namedtuple("State", ["failed", "repairing"])


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def assert_same_chain(a: hm.CTMC, b: hm.CTMC) -> None:
    """Bit-for-bit the same generator, up set and initial distribution."""
    assert a.Q.shape == b.Q.shape
    assert (sp.csr_array(a.Q) != sp.csr_array(b.Q)).nnz == 0
    np.testing.assert_array_equal(a.up, b.up)
    np.testing.assert_array_equal(a.initial, b.initial)


def repairable_pair() -> hm.CTMC:
    """Two units, one crew; states named by (units failed, crew busy) tuples."""
    return hm.CTMC.from_transitions(
        [(State(0, False), State(1, True), 0.002), (State(1, True), State(0, False), 0.25),
         (State(1, True), State(2, True), 0.001), (State(2, True), State(1, True), 0.25)],
        up=[State(0, False), State(1, True)])


def random_chain(n=300, seed=3) -> hm.CTMC:
    """A stiff random chain (rates 1e-6 .. 1e3 per hour) with tuple state names."""
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), 4)
    dst = (src + rng.integers(1, n, src.size)) % n
    rates = 10.0 ** rng.uniform(-6, 3, src.size)
    off = sp.csr_array((rates, (src, dst)), shape=(n, n))
    Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
    states = [(i // 10, i % 10, bool(i % 3)) for i in range(n)]
    return hm.CTMC(Q, up=rng.random(n) < 0.8, states=states, initial=states[5])


def no_repair() -> hm.CTMC:
    """A chain with an absorbing state (written with a self-loop 'i i 1')."""
    return hm.CTMC.from_transitions([("ok", "degraded", 0.01), ("degraded", "failed", 0.02)],
                                    up=["ok", "degraded"])


def two_initial_states() -> hm.CTMC:
    return hm.CTMC([[-1.0, 1.0, 0.0], [0.5, -1.0, 0.5], [0.0, 2.0, -2.0]],
                   up=[True, True, False], initial=[0.5, 0.5, 0.0])


CHAINS = {
    "tuple-states": repairable_pair,
    "stiff-random": random_chain,
    "absorbing": no_repair,
    "two-initial": two_initial_states,
    "active_standby": lambda: hm.active_standby(
        hm.Component("a", mtbf="5y", mttr="4h"), failover="60s", coverage=0.95).to_ctmc(),
    "majority_cluster": lambda: hm.majority_cluster(
        3, hm.Component("n", mtbf="2y", mttr="6h"), crews=1, failover="30s").to_ctmc(),
    "two_node_stonith": lambda: hm.two_node_cluster(
        hm.Component("n", mtbf="3y", mttr="4h"), link=hm.Component("l", mtbf="4y", mttr="4h"),
        tie_breaker="stonith", fencing=hm.Fencing(success=0.99, delay="15s")).to_ctmc(),
}


# ======================================================================= writing
def test_to_explicit_writes_prism_explicit_formats(tmp_path):
    """The three files as PRISM's manual describes them (appendix "Explicit Model Files")."""
    files = repairable_pair().to_explicit(tmp_path / "pair")
    assert files == {"tra": tmp_path / "pair.tra", "lab": tmp_path / "pair.lab",
                     "sta": tmp_path / "pair.sta"}
    assert files["tra"].read_text() == "3 4\n0 1 0.002\n1 0 0.25\n1 2 0.001\n2 1 0.25\n"
    assert files["lab"].read_text() == ('0="init" 1="deadlock" 2="up" 3="down"\n'
                                        "0: 0 2\n1: 2\n2: 3\n")
    assert files["sta"].read_text() == ("(failed,repairing)\n0:(0,false)\n1:(1,true)\n"
                                        "2:(2,true)\n")


def test_to_explicit_storm_dialect(tmp_path):
    files = repairable_pair().to_explicit(tmp_path / "pair.tra", dialect="storm",
                                          labels={"busy": [State(1, True), State(2, True)]})
    assert files["tra"].read_text().startswith("ctmc\n0 1 0.002\n")
    assert files["lab"].read_text() == ("#DECLARATION\ninit deadlock up down busy\n#END\n"
                                        "0 init up\n1 up busy\n2 down busy\n")


def test_to_explicit_writes_absorbing_states_as_self_loops(tmp_path):
    files = no_repair().to_explicit(tmp_path / "m")
    assert files["tra"].read_text() == "3 3\n0 1 0.01\n1 2 0.02\n2 2 1.0\n"
    assert "2: 1 3" in files["lab"].read_text()  # deadlock, down
    assert "sta" not in files  # string names are not PRISM variable values


@pytest.mark.parametrize("labels, match", [
    ({"up": [State(0, False)]}, "not a label name to add"),
    ({"has space": [State(0, False)]}, "not a label name to add"),
    ({"busy": [State(9, True)]}, r"unknown state State\(failed=9"),
    ({"busy": np.ones(2, dtype=bool)}, "mask of shape"),
])
def test_to_explicit_rejects_bad_labels(tmp_path, labels, match):
    with pytest.raises(ValueError, match=match):
        repairable_pair().to_explicit(tmp_path / "m", labels=labels)


def test_to_explicit_rejects_unknown_dialect(tmp_path):
    with pytest.raises(ValueError, match="dialect='jani'"):
        repairable_pair().to_explicit(tmp_path / "m", dialect="jani")


# ==================================================================== round trips
@pytest.mark.parametrize("dialect", ["prism", "storm"])
@pytest.mark.parametrize("make", CHAINS.values(), ids=CHAINS.keys())
def test_round_trip_is_exact(tmp_path, make, dialect):
    chain = make()
    back = hm.CTMC.from_explicit(**chain.to_explicit(tmp_path / "m", dialect=dialect), up="up")
    assert_same_chain(chain, back)
    if isinstance(chain.states[0], tuple):
        assert back.states == chain.states
    else:
        assert back.states == tuple(range(chain.n_states))
    assert back.measures().availability == chain.measures().availability


def test_round_trip_keeps_field_names(tmp_path):
    back = hm.CTMC.from_explicit(**repairable_pair().to_explicit(tmp_path / "m"), up="up")
    assert back.states[1].failed == 1 and back.states[1].repairing is True
    assert list(pd.DataFrame(back.states).columns) == ["failed", "repairing"]
    assert back.index((2, True)) == 2  # plain tuples name the same states


def test_round_trip_in_seconds(tmp_path):
    """time_unit="s": the file holds rates per second, the chain rates per hour."""
    chain = repairable_pair()
    files = chain.to_explicit(tmp_path / "m", time_unit="s")
    assert files["tra"].read_text().splitlines()[1] == f"0 1 {0.002 / 3600!r}"
    back = hm.CTMC.from_explicit(**files, up="up", time_unit="1s")
    np.testing.assert_allclose(back.Q.toarray(), chain.Q.toarray(), rtol=1e-15)


def test_valid_files_take_the_vectorised_path(tmp_path, monkeypatch):
    """A 20,000-state round trip never falls back to the line-by-line parsers."""
    n = 20_000
    chain = random_chain(n, seed=11)
    files = chain.to_explicit(tmp_path / "big")

    def forbidden(*args, **kwargs):
        raise AssertionError("the line-by-line parser was used on a valid file")

    monkeypatch.setattr(prism, "_tra_slow", forbidden)
    monkeypatch.setattr(prism, "_sta_slow", forbidden)
    back = hm.CTMC.from_explicit(**files, up="up")
    assert_same_chain(chain, back)
    assert back.states == chain.states


@pytest.mark.parametrize("text", [
    "4 5\n0 1 2.5\n1 2 1e-3\n2 3 7\n3 0 0.5\n3 3 1\n",
    "4 5\n0  1\t2.5\n\n1 2 1e-3 act\n2 3 7 go\n  3 0 .5\r\n3 3 1\n\n",
    "ctmc\n0 1 2.5\n1 2 1e-3\n2 3 7\n3 0 0.5\n3 3 1\n",
    "4 5\n3 0 0.5\n0 1 2.5\n2 3 7.0\n1 2 0.001\n3 3 1\n",
], ids=["plain", "whitespace-actions-crlf", "storm", "unsorted"])
def test_fast_and_line_by_line_tra_parsers_agree(tmp_path, text):
    path = write(tmp_path, "m.tra", text)
    dialect, n, m, header = prism._tra_header(path)
    slow = prism._check_tra(path, dialect, n, m, header, *prism._tra_slow(path, header))
    fast = prism._read_tra(path)
    assert slow[0] == fast[0] == 4
    for a, b in zip(slow[1:], fast[1:]):
        np.testing.assert_array_equal(a, b)


def test_fast_and_line_by_line_sta_parsers_agree(tmp_path):
    text = "(x,b,y)\n0:(1,true,-2)\n2:(3,false,0)\n1:(2,true,5)\n"
    path = write(tmp_path, "m.sta", text)
    fast = prism._sta_fast(path, 1, 3, 3)
    lines = iter(prism._lines(path))
    next(lines)
    slow = prism._sta_slow(path, lines, ["x", "b", "y"], 3)
    assert fast == slow == [[1, 2, 3], [True, True, False], [-2, 5, 0]]


def test_reads_the_states_file_of_the_prism_manual(tmp_path):
    """The .sta of poll2 as printed in PRISM's manual (appendix "Explicit Model Files")."""
    valuations = ["(1,0,0,0)", "(1,0,0,1)", "(1,0,1,0)", "(1,0,1,1)", "(1,1,1,0)", "(1,1,1,1)",
                  "(2,0,0,0)", "(2,0,0,1)", "(2,0,1,0)", "(2,0,1,1)", "(2,1,0,1)", "(2,1,1,1)"]
    sta = write(tmp_path, "poll2.sta",
                "(s,a,s1,s2)\n" + "".join(f"{i}:{v}\n" for i, v in enumerate(valuations)))
    tra = write(tmp_path, "poll2.tra",
                "12 12\n" + "".join(f"{i} {(i + 1) % 12} 1\n" for i in range(12)))
    m = hm.CTMC.from_explicit(tra, sta=sta, up=lambda s: s.s1 + s.s2 < 2)
    assert m.states[4] == (1, 1, 1, 0) and m.states[4].a == 1
    assert m.states[11]._fields == ("s", "a", "s1", "s2")
    assert int(m.up.sum()) == 8
    assert m.initial[0] == 1.0  # no labels file: state 0 (PRISM's default too)


# ======================================================================= up forms
def test_up_and_healthy_forms_agree(tmp_path):
    tra = write(tmp_path, "m.tra", "3 4\n0 1 0.002\n1 0 0.25\n1 2 0.001\n2 1 0.25\n")
    lab = write(tmp_path, "m.lab", '0="init" 1="deadlock" 2="down" 3="ok"\n0: 0 3\n2: 2\n')
    sta = write(tmp_path, "m.sta", "(failed)\n0:(0)\n1:(1)\n2:(2)\n")
    forms = ["!down", '!"down"', lambda s: s.failed < 2, [True, True, False], [(0,), (1,)]]
    chains = [hm.CTMC.from_explicit(tra, lab, sta, up=up, healthy="ok") for up in forms]
    for chain in chains:
        np.testing.assert_array_equal(chain.up, [True, True, False])
        np.testing.assert_array_equal(chain.healthy, [True, False, False])
    assert chains[0].measures() == chains[-1].measures()


def test_several_initial_states_share_the_probability(tmp_path):
    tra = write(tmp_path, "m.tra", "3 4\n0 1 1\n1 0 1\n1 2 1\n2 1 1\n")
    lab = write(tmp_path, "m.lab", '0="init" 1="up"\n0: 0 1\n1: 0 1\n')
    m = hm.CTMC.from_explicit(tra, lab, up="up")
    np.testing.assert_array_equal(m.initial, [0.5, 0.5, 0.0])
    assert hm.CTMC.from_explicit(tra, lab, up="up", initial=1).initial[1] == 1.0


# ================================================================= bad .tra files
GOOD_TRA = "3 4\n0 1 1\n1 0 1\n1 2 1\n2 1 1\n"


@pytest.mark.parametrize("text, line, match", [
    ("2 2\n0 1 -0.5\n1 0 1\n", 2, "negative rate -0.5 from state 0 to state 1"),
    ("2 2\n0 1 1\n1 2 1\n", 3, "target state 2 is out of range: the header declares 2 states"),
    ("2 2\n0 1 1\n5 0 1\n", 3, "source state 5 is out of range"),
    ("2 2\n0 1 1\n-1 0 1\n", 3, "source state -1 is out of range"),
    ("2 2\n0 1 fast\n1 0 1\n", 2, "rate 'fast' is not a number"),
    ("2 2\n0 one 1\n1 0 1\n", 2, "target state 'one' is not an integer"),
    ("2 2\n0 1.5 1\n1 0 1\n", 2, "target state '1.5' is not an integer"),
    ("2 2\n0 1 nan\n1 0 1\n", 2, "rate nan of 0 -> 1 is not a finite number"),
    ("2 2\n0 1 inf\n1 0 1\n", 2, "rate inf of 0 -> 1 is not a finite number"),
    ("2 2\n0 1\n1 0 1\n", 2, "expected 'source target rate'.* got '0 1'"),
    ("2 2\n0 1 1 a b\n1 0 1\n", 2, "expected 'source target rate'"),
    ("2 3\n0 1 1\n1 0 1\n", 1, "the header announces 3 transitions but the file lists 2"),
    ("2 1\n0 1 1\n1 0 1\n", 1, "the header announces 1 transitions but the file lists 2"),
    ("3 2\n0 1 1\n1 0 1\n", None, "state 2 has no transition line.*self-loop '2 2 1'"),
    ("4 2\n0 1 1\n1 0 1\n", None, r"state 2 has no transition line \(nor do 1 other"),
    ("2 3\n0 1 1\n1 0 1\n0 1 2\n", 4, r"transition 0 -> 1 is listed twice \(first on line 2\)"),
    ("2 2\n\n0 1 1\n\n1 0 -2\n", 5, "negative rate -2.0"),
    ("", None, "empty transitions file"),
    ("two states\n0 1 1\n", 1, "first line 'two states': expected 'n_states n_transitions'"),
    ("3 4 5\n0 0 1 1\n", 1, "MDP"),
    ("dtmc\n0 1 1\n1 0 1\n", 1, "a 'dtmc' model; hamodel reads CTMCs"),
    ("0 0\n", 1, "declares 0 states"),
    ("ctmc\n", None, "no transitions"),
], ids=["negative-rate", "target-out-of-range", "source-out-of-range", "negative-index",
        "non-numeric-rate", "non-numeric-state", "fractional-state", "nan-rate", "inf-rate",
        "too-few-fields", "too-many-fields", "header-count-high", "header-count-low",
        "missing-state", "missing-states", "duplicate", "line-numbers-count-blank-lines",
        "empty", "bad-header", "mdp", "dtmc", "no-states", "storm-empty"])
def test_bad_tra_is_named_with_its_line(tmp_path, text, line, match):
    path = write(tmp_path, "bad.tra", text)
    with pytest.raises(hm.ModelFileError, match=match) as info:
        hm.CTMC.from_explicit(path, up=[0])
    assert info.value.path == path and info.value.line == line
    where = str(path) if line is None else f"{path}, line {line}"
    assert str(info.value).startswith(where + ": ")


def test_binary_tra_is_named(tmp_path):
    path = tmp_path / "bad.tra"
    path.write_bytes(b"2 2\n0 1 \xff\xfe\n1 0 1\n")
    with pytest.raises(hm.ModelFileError, match="not a text file"):
        hm.CTMC.from_explicit(path, up=[0])


# ================================================================= bad .lab files
@pytest.mark.parametrize("text, line, match", [
    ('0="init" 1="up"\n0: 0 2\n', 2, r"label index 2 is not declared on the first line"),
    ('0=init\n0: 0\n', 1, r"label declaration '0=init': expected index=\"name\""),
    ('0="init" 0="up"\n0: 0\n', 1, "repeats an index or a name"),
    ('0="init"\n7: 0\n', 2, "state 7 is out of range: the model has 3 states"),
    ('0="init"\n0: 0\n0: 0\n', 3, r"state 0 is listed twice \(first on line 2\)"),
    ('0="init"\n0 0\n', 2, "expected 'state: label indices', got '0 0'"),
    ('0="init"\nx: 0\n', 2, "state 'x' is not an integer"),
    ('0="init"\n0: zero\n', 2, "label index 'zero' is not an integer"),
    ("#DECLARATION\ninit\n#END\n0 init up\n", 4, r"label 'up' is not declared \(declared: init\)"),
    ("#DECLARATION\ninit up\n", None, "no '#END' after '#DECLARATION'"),
    ("", None, "empty labels file"),
    ('0="init" 1="up"\n1: 1\n', None, "the 'init' label holds in no state"),
], ids=["undeclared-index", "bad-declaration", "repeated-declaration", "state-out-of-range",
        "state-twice", "no-colon", "non-numeric-state", "non-numeric-label", "storm-undeclared",
        "storm-no-end", "empty", "empty-init"])
def test_bad_lab_is_named_with_its_line(tmp_path, text, line, match):
    tra = write(tmp_path, "m.tra", GOOD_TRA)
    lab = write(tmp_path, "bad.lab", text)
    with pytest.raises(hm.ModelFileError, match=match) as info:
        hm.CTMC.from_explicit(tra, lab, up=[0])
    assert info.value.path == lab and info.value.line == line


# ================================================================= bad .sta files
@pytest.mark.parametrize("text, line, match", [
    ("x,y\n0:(0,0)\n", 1, r"first line 'x,y': expected the variable names, as in \(x,y,z\)"),
    ("(x,y)\n0:(0)\n1:(1,1)\n2:(2,2)\n", 2, r"1 values for the 2 variables \(x, y\)"),
    ("(x)\n0:(0)\n1:(1)\n", None, "state 2 is missing: the transitions file has 3 states"),
    ("(x)\n0:(0)\n0:(1)\n1:(1)\n2:(2)\n", 3, "state 0 is listed twice"),
    ("(x)\n0:(0)\n1:(1)\n9:(2)\n", 4, "state 9 is out of range"),
    ("(x)\n0:(0)\n1:(a)\n2:(2)\n", 3, "value of x 'a' is not an integer"),
    ("(x)\n0:(0)\n1:(1.5)\n2:(2)\n", 3, "value of x '1.5' is not an integer"),
    ("(b)\n0:(true)\n1:(1)\n2:(false)\n", 3, "value '1' of variable b is not of type bool"),
    ("(x)\n0:(0)\n1 (1)\n2:(2)\n", 3, r"expected 'state:\(values\)', got '1 \(1\)'"),
], ids=["bad-header", "value-count", "missing-state", "state-twice", "out-of-range",
        "non-numeric", "non-integer", "type-mismatch", "no-colon"])
def test_bad_sta_is_named_with_its_line(tmp_path, text, line, match):
    tra = write(tmp_path, "m.tra", GOOD_TRA)
    sta = write(tmp_path, "bad.sta", text)
    with pytest.raises(hm.ModelFileError, match=match) as info:
        hm.CTMC.from_explicit(tra, sta=sta, up=[0])
    assert info.value.path == sta and info.value.line == line


# ================================================================ bad up labels
def test_unknown_label_lists_the_labels(tmp_path):
    tra = write(tmp_path, "m.tra", GOOD_TRA)
    lab = write(tmp_path, "m.lab", '0="init" 1="deadlock" 2="down"\n0: 0\n2: 2\n')
    with pytest.raises(ValueError, match=re.escape(
            f"up='up': {lab} has no label 'up'; its labels: init, deadlock, down")):
        hm.CTMC.from_explicit(tra, lab, up="up")
    with pytest.raises(ValueError, match="healthy='!ok'.*no label 'ok'"):
        hm.CTMC.from_explicit(tra, lab, up="!down", healthy="!ok")


def test_label_without_labels_file_says_so(tmp_path):
    tra = write(tmp_path, "m.tra", GOOD_TRA)
    with pytest.raises(ValueError, match=r"no labels file was given \(lab=None\)"):
        hm.CTMC.from_explicit(tra, up="up")


def test_up_label_that_holds_nowhere(tmp_path):
    tra = write(tmp_path, "m.tra", GOOD_TRA)
    lab = write(tmp_path, "m.lab", '0="init" 1="up"\n0: 0\n')
    with pytest.raises(ValueError, match="up='up' holds in no state of"):
        hm.CTMC.from_explicit(tra, lab, up="up")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.tra"):
        hm.CTMC.from_explicit(tmp_path / "nothing.tra", up=[0])


# ================================================================= without stormpy
def test_import_hamodel_does_not_import_stormpy():
    code = "import sys, hamodel; print('stormpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_from_prism_without_stormpy_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "stormpy", None)  # import stormpy -> ImportError
    path = write(tmp_path, "m.sm", "ctmc\n")
    with pytest.raises(ImportError, match=re.escape("pip install 'hamodel[storm]'")):
        hm.CTMC.from_prism(path, up="up")


# ==================================================================== with stormpy
@pytest.fixture
def stormpy():
    return pytest.importorskip("stormpy")


@pytest.fixture
def examples(stormpy) -> Path:
    """PRISM case studies shipped with stormpy (copies of the PRISM benchmark models)."""
    return Path(stormpy.__file__).parent / "examples" / "files"


@pytest.fixture
def support(stormpy):
    return pytest.importorskip("stormpy_support")


def open_constant(examples: Path, tmp_path: Path, name: str, constant: str) -> Path:
    """A copy of a shipped model whose `constant` is left undefined (``const int N;``)."""
    text = (examples / "ctmc" / name).read_text()
    text, count = re.subn(rf"const int {constant}\s*=\s*[^;]+;", f"const int {constant};", text)
    assert count == 1
    return write(tmp_path, name, text)


STEADY = [("cluster2.sm", "minimum"), ("polling2.sm", "target"), ("tandem5.sm", "sc < c"),
          ("fms2.sm", "P1 > 0 & M3 > 0"), ("tiny.sm", '!"full"')]


@pytest.mark.stormpy
@pytest.mark.parametrize("name, up", STEADY, ids=[s[0] for s in STEADY])
def test_from_prism_steady_state_agrees_with_storm(examples, support, name, up):
    """Storm builds and solves the same file (sparse LU on its gain/bias equations).

    Both sides are exact to ~1e-12 relative on these small, mildly stiff chains; the
    unavailability is compared directly (S=? of the negation), not as 1 - A.
    """
    m = hm.CTMC.from_prism(examples / "ctmc" / name, up=up)
    text = (examples / "ctmc" / name).read_text()
    expr = f'"{up}"' if up.isidentifier() else f"({up})"
    storm_a, storm_n = support.solve_prism(text, f"S=? [ {expr} ]")
    storm_u, _ = support.solve_prism(text, f"S=? [ !{expr} ]")
    assert m.n_states == storm_n
    assert m.measures().availability == pytest.approx(storm_a, rel=1e-9)
    assert m.measures().unavailability == pytest.approx(storm_u, rel=1e-8)


@pytest.mark.stormpy
def test_from_prism_mttf_in_seconds_agrees_with_storm(examples, support):
    """The embedded control system case study has rates per second; hamodel works in hours."""
    path = examples / "ctmc" / "embedded2.sm"
    m = hm.CTMC.from_prism(path, up='!"down"', time_unit="s")
    storm_seconds, _ = support.solve_prism(path.read_text(), 'T=? [ F "down" ]')
    assert m.mttf() == pytest.approx(storm_seconds / 3600, rel=1e-9)


@pytest.mark.stormpy
def test_from_prism_with_constants_agrees_with_storm(examples, support, tmp_path):
    path = open_constant(examples, tmp_path, "cluster2.sm", "N")
    m = hm.CTMC.from_prism(path, {"N": 4}, up='!"minimum"')
    text = path.read_text().replace("const int N;", "const int N = 4;")
    storm_a, storm_n = support.solve_prism(text, 'S=? [ !"minimum" ]')
    assert m.n_states == storm_n == 820
    assert m.measures().availability == pytest.approx(storm_a, rel=1e-9)


@pytest.mark.stormpy
def test_storm_reads_hamodel_explicit_files_the_same(stormpy, tmp_path):
    """Storm's own explicit parser on hamodel's Storm-dialect files: same rates, same answer."""
    chain = random_chain(200, seed=5)
    files = chain.to_explicit(tmp_path / "m", dialect="storm")
    model = stormpy.build_model_from_explicit(str(files["tra"]), str(files["lab"]))
    src, dst, rates = prism._row_rates(model)
    off = sp.csr_array((rates, (src, dst)), shape=chain.Q.shape)
    off.setdiag(0)
    off.eliminate_zeros()
    ours = sp.csr_array(chain.Q - sp.diags_array(chain.Q.diagonal()))
    ours.eliminate_zeros()
    assert (off != ours).nnz == 0
    up = prism._bits(model.labeling.get_states("up"), chain.n_states)
    np.testing.assert_array_equal(up, chain.up)


@pytest.mark.stormpy
def test_hamodel_reads_storm_example_tra_like_storm(stormpy, examples, tmp_path):
    """stormpy's example ctmc.tra (Storm dialect, zero-rate self-loops) parsed by both."""
    tra = examples / "tra" / "ctmc.tra"
    n = 1 + max(int(t) for line in tra.read_text().splitlines()[1:] for t in line.split()[:2])
    lab = write(tmp_path, "ctmc.lab", "#DECLARATION\ninit up\n#END\n0 init up\n"
                + "".join(f"{i} up\n" for i in range(1, n - 1)))
    ours = hm.CTMC.from_explicit(tra, lab, up="up")
    model = stormpy.build_model_from_explicit(str(tra), str(lab))
    src, dst, rates = prism._row_rates(model)
    keep = (src != dst) & (rates > 0)
    theirs = sp.csr_array((rates[keep], (src[keep], dst[keep])), shape=(n, n))
    ours_off = sp.csr_array(ours.Q - sp.diags_array(ours.Q.diagonal()))
    ours_off.eliminate_zeros()
    assert ours.n_states == model.nr_states == n
    assert (theirs != ours_off).nnz == 0


@pytest.mark.stormpy
def test_storm_dtmc_example_is_refused(examples):
    with pytest.raises(hm.ModelFileError, match="a 'dtmc' model") as info:
        hm.CTMC.from_explicit(examples / "tra" / "die.tra", examples / "lab" / "die.lab",
                              up="done")
    assert info.value.line == 1


@pytest.mark.stormpy
def test_umb_rates_match_storm_matrix_row_by_row(stormpy, examples, tmp_path):
    """The fast UMB export gives Storm's rates to one rounding (exit rate x probability)."""
    path = open_constant(examples, tmp_path, "cluster2.sm", "N")
    program = stormpy.parse_prism_program(str(path), prism_compatibility=True)
    program, _ = stormpy.instantiate_constants(program, {"N": 4})
    with prism._quiet(stormpy):
        model = stormpy.build_model(program)
    fast = prism._umb_rates(model)
    slow = prism._row_rates(model)
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    np.testing.assert_allclose(fast[2], slow[2], rtol=4e-16, atol=0)


@pytest.mark.stormpy
def test_from_prism_self_loops_are_dropped(stormpy, tmp_path):
    path = write(tmp_path, "loop.sm", "ctmc\nmodule m\n  x : [0..1] init 0;\n"
                 "  [] x=0 -> 2 : (x'=1) + 5 : (x'=0);\n  [] x=1 -> 3 : (x'=0);\nendmodule\n")
    m = hm.CTMC.from_prism(path, up="x=0")
    np.testing.assert_array_equal(m.Q.toarray(), [[-2.0, 2.0], [3.0, -3.0]])


@pytest.mark.stormpy
def test_from_prism_expression_label_and_callable_agree(examples):
    path = examples / "ctmc" / "cluster2.sm"
    expression = hm.CTMC.from_prism(path, up="left_n >= 1 & toleft_n")
    function = hm.CTMC.from_prism(path, up=lambda s: s.left_n >= 1 and s.toleft_n)
    np.testing.assert_array_equal(expression.up, function.up)
    assert 0 < expression.up.sum() < expression.n_states
    premium = hm.CTMC.from_prism(path, up="premium")
    not_premium = hm.CTMC.from_prism(path, up='!"premium"')
    np.testing.assert_array_equal(premium.up, ~not_premium.up)
    healthy = hm.CTMC.from_prism(path, up="minimum", healthy='"premium" & left_n = 2 & right_n = 2')
    assert healthy.healthy.sum() > 0 and not (healthy.healthy & ~healthy.up).any()


@pytest.mark.stormpy
def test_from_prism_states_are_the_variable_valuations(examples):
    m = hm.CTMC.from_prism(examples / "ctmc" / "cluster2.sm", up="minimum")
    start = m.states[int(np.argmax(m.initial))]
    assert m.initial.max() == 1.0
    # The initial values declared in cluster2.sm.
    assert (start.left_n, start.right_n, start.left, start.r) == (2, 2, False, False)
    assert (start.line_n, start.toleft_n, start.toright_n) == (True, True, True)
    table = pd.DataFrame(m.states)
    assert {"left_n", "right_n", "toleft_n"} <= set(table.columns) and len(table) == 276
    assert m.index(tuple(start)) == int(np.argmax(m.initial))


@pytest.mark.stormpy
def test_polling_states_are_those_of_the_prism_manual(examples):
    """PRISM's manual lists the 12 states (s,a,s1,s2) of this polling model (poll2)."""
    m = hm.CTMC.from_prism(examples / "ctmc" / "polling2.sm", up="target")
    manual = {(1, 0, 0, 0), (1, 0, 0, 1), (1, 0, 1, 0), (1, 0, 1, 1), (1, 1, 1, 0), (1, 1, 1, 1),
              (2, 0, 0, 0), (2, 0, 0, 1), (2, 0, 1, 0), (2, 0, 1, 1), (2, 1, 0, 1), (2, 1, 1, 1)}
    assert {(s.s, s.a, s.s1, s.s2) for s in m.states} == manual


@pytest.mark.stormpy
def test_from_prism_round_trips_through_explicit_files(examples, tmp_path):
    m = hm.CTMC.from_prism(examples / "ctmc" / "cluster2.sm", up="minimum")
    back = hm.CTMC.from_explicit(**m.to_explicit(tmp_path / "cluster"), up="up")
    assert_same_chain(m, back)
    assert back.states == m.states and back.states[0]._fields == m.states[0]._fields


@pytest.mark.stormpy
def test_prism_model_in_the_workbook(examples):
    """The docstring story of CTMC.from_prism: measures, outage durations, compare."""
    cluster = hm.CTMC.from_prism(examples / "ctmc" / "cluster2.sm", up="minimum")
    assert repr(cluster) == "CTMC('cluster2', n_states=276, up=132, transitions=1120)"
    assert (cluster.states[1].left_n, cluster.states[1].toleft_n) == (1, True)
    measures = cluster.measures()
    assert measures.outages_per_year == pytest.approx(0.0051, abs=5e-5)
    assert measures.mean_down_time == pytest.approx(4.02, abs=5e-3)
    assert 0 <= cluster.outages_longer_than("20min") <= measures.outages_per_year
    table = hm.compare({"cluster": cluster,
                        "pair": hm.active_standby(hm.Component("ws", mtbf="500h", mttr="2h"))},
                       digits=3)
    # digits= rounds the display only; the table keeps the values themselves.
    assert table.loc["cluster", "outages/yr"] == measures.outages_per_year
    shown = table.formatted()
    assert shown.loc["cluster", "outages/yr"] == "0.0051"
    assert shown.loc["pair", "outages/yr"] == "17.5"


@pytest.mark.stormpy
def test_prism_model_in_the_figures(examples, ax):
    cluster = hm.CTMC.from_prism(examples / "ctmc" / "cluster2.sm", up="minimum")
    pair = hm.active_standby(hm.Component("ws", mtbf="500h", mttr="2h"))
    ax = hm.plot_frequency_duration({"cluster": cluster, "pair": pair}, ax=ax)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(text.startswith("cluster") for text in legend)


# ================================================================ bad PRISM input
def bad(tmp_path, text):
    return write(tmp_path, "bad.sm", text)


GOOD_MODEL = ("ctmc\nconst int N;\nconst double r = 2;\nmodule m\n  x : [0..N] init 0;\n"
              "  [] x<N -> r : (x'=x+1);\n  [] x>0 -> 3 : (x'=x-1);\nendmodule\n"
              'label "full" = x=N;\n')


@pytest.mark.stormpy
def test_prism_file_that_does_not_parse_names_the_line(stormpy, tmp_path):
    path = bad(tmp_path, GOOD_MODEL.replace("(x'=x-1);", "(x'=x-1)"))
    with pytest.raises(hm.ModelFileError, match="not a valid PRISM model: Parsing error at 8") \
            as info:
        hm.CTMC.from_prism(path, {"N": 2}, up="x<2")
    assert info.value.path == path and info.value.line == 8


@pytest.mark.stormpy
@pytest.mark.parametrize("constants, match", [
    ({"M": 3}, r"has no constant 'M'; its constants: N \(undefined\), r = 2"),
    ({}, r"leaves constants without a value: N \(int\); give them as constants=\{'N': ...\}"),
    ({"N": 2, "r": 5.0}, r"constant 'r' is already defined in .*bad.sm \(r = 2\)"),
    ({"N": 2.5}, r"constants=\{'N': 2.5\} for .*bad.sm: Illegal type"),
], ids=["unknown", "missing", "already-defined", "wrong-type"])
def test_bad_constants_are_named(stormpy, tmp_path, constants, match):
    with pytest.raises(ValueError, match=match):
        hm.CTMC.from_prism(bad(tmp_path, GOOD_MODEL), constants, up="x<2")


@pytest.mark.stormpy
@pytest.mark.parametrize("up, match", [
    ("empty", r"up='empty': .*bad.sm has no label 'empty'; its labels: deadlock, full, init "
              r"\(or give a Boolean expression over its variables: x\)"),
    ("x + 1", r"up='x \+ 1' is neither a label of .*bad.sm \(deadlock, full, init\) nor a "
              "Boolean PRISM expression"),
    ('P=? [ F "full" ]', r"cannot be evaluated .*numerical value"),
    ('"nolabel"', r"up='\"nolabel\"' cannot be evaluated .*labels: deadlock, full, init"),
    ("x > 5", r"up='x > 5' holds in no state of"),
], ids=["unknown-label", "not-boolean", "quantitative", "unknown-quoted-label", "nowhere"])
def test_bad_up_is_named(stormpy, tmp_path, up, match):
    with pytest.raises(ValueError, match=match):
        hm.CTMC.from_prism(bad(tmp_path, GOOD_MODEL), {"N": 2}, up=up)


@pytest.mark.stormpy
def test_prism_dtmc_is_refused(examples):
    with pytest.raises(hm.ModelFileError, match="a DTMC model; hamodel reads CTMCs"):
        hm.CTMC.from_prism(examples / "dtmc" / "die.pm", up="s=7")


@pytest.mark.stormpy
def test_model_storm_cannot_build_is_named(stormpy, tmp_path):
    path = bad(tmp_path, "ctmc\nmodule m\n  x : [0..1] init 0;\n  [] true -> 1 : (x'=x+1);\n"
                         "endmodule\n")
    with pytest.raises(hm.ModelFileError, match="Storm could not build the model"):
        hm.CTMC.from_prism(path, up="x=0")


@pytest.mark.stormpy
def test_missing_prism_file_is_named(stormpy, tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.sm"):
        hm.CTMC.from_prism(tmp_path / "nothing.sm", up="x")
