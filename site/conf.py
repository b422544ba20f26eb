"""Sphinx configuration of the workbook's website (`make site`).

The source directory is notebooks/ itself (``sphinx-build -c site notebooks build/site``):
the links the notebooks and their Markdown pages hold (``GLOSSARY.md``, ``TEACHING.md``,
``02_tiers_and_spofs.ipynb``) resolve as they do in Jupyter, and nothing there is copied
or edited. Everything the site adds is done here, at read time:

* notebooks/README.md is the home page; a toctree of every ``NN_*.ipynb`` (a glob, in
  name order: notebooks come and go) and of the teacher's guide and the glossary is
  appended to it, with a list of downloads.
* the pages show the outputs stored in the notebooks (``nb_execution_mode = "off"``):
  nbval keeps them equal to a fresh run, so the site is never re-executed.
* cell tags as in `make report` (the Makefile's REPORT_TAGS): ``interactive`` cells (live
  widgets, which cannot work in a static page: each has a static twin) are dropped,
  ``hide-code`` is ``hide-input``, folded behind a "show" button (a ``hide-input`` cell
  without output is dropped: a button over nothing); ``solution`` cells are folded too
  (a teacher projects the page and opens the answer when the class is ready).
* a notebook without a single level-1 title (notebook 14: a report whose sections are
  level 1) gets its ``metadata.title`` as the title and its headings one level down, so
  it is one entry of the navigation, not ten.
* every notebook page links its student copy (`make student`: build/student/, or the
  directory in $HAMODEL_STUDENT_DIR) and the executed notebook as downloads.
* math is typeset by MathJax 3 from the pip package django-static-mathjax (a plain copy of
  MathJax's es5/ build), copied into _static/: the pages request nothing from the internet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUDENT_DIR = Path(os.environ.get("HAMODEL_STUDENT_DIR", ROOT / "build" / "student")).resolve()

project = "hamodel workbook"
author = "hamodel"
copyright = "hamodel contributors"

extensions = ["myst_nb", "sphinx.ext.mathjax"]
root_doc = "README"
exclude_patterns = ["**.ipynb_checkpoints", "_build"]

# --- MyST and MyST-NB -------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3  # GLOSSARY.md#availability from a notebook
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widget manager from a CDN: widget cells are dropped anyway
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (notebook 14's tables) with tables

# --- HTML -----------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "hamodel workbook"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"  # else the browser asks for /favicon.ico: a 404
html_css_files = ["site.css"]
html_theme_options = {
    "use_download_button": True,  # the .ipynb (with outputs) and a print-to-PDF button
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
# Light by default: a projector shows it best, and without a mode pydata-sphinx-theme
# logs a console error ("invalid theme mode") on a first visit. The reader can switch.
html_context = {"default_mode": "light"}
html_show_sourcelink = False
html_copy_source = True  # the download button offers the executed .ipynb from _sources/
html_last_updated_fmt = None
html_additional_pages = {"index": "redirect.html"}  # index.html -> README.html
templates_path = ["_templates"]

# MathJax 3, local (see the docstring); Sphinx reads a relative path under _static/.
mathjax_path = "mathjax/tex-mml-chtml.js"
MATHJAX_PARTS = ["tex-mml-chtml.js", "input", "output", "a11y", "ui", "adaptors"]


def _mathjax_dir() -> Path:
    import mathjax  # django-static-mathjax: MathJax's es5/ build under static/mathjax/

    return Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    src, dest = _mathjax_dir(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (src / part).is_dir():
            shutil.copytree(src / part, dest / part, dirs_exist_ok=True)
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / part, dest / part)


# --- what the site adds to the sources, at read time --------------------------------------
TAG_MAP = {"hide-code": "hide-input", "solution": "hide-cell"}
DROP_TAGS = {"interactive", "remove-cell"}


def _notebooks(app) -> list[str]:
    return sorted(p.stem for p in Path(app.srcdir).glob("[0-9]*.ipynb"))


def _download_line(app, stem: str, note: str = " (no solutions, no outputs)") -> str:
    student = STUDENT_DIR / f"{stem}.ipynb"
    parts = []
    if student.is_file():  # a path relative to the page (every page sits in notebooks/)
        rel = os.path.relpath(student, app.srcdir)
        parts.append(f"{{download}}`student notebook <{rel}>`{note}")
    else:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "no student copy of %s in %s: run `make student` first", stem, STUDENT_DIR)
    parts.append(f"{{download}}`executed notebook <{stem}.ipynb>`")
    return " · ".join(parts)


def _text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _headings(text: str):
    """(line index, level) of the ATX headings of Markdown text, outside code fences."""
    fence = None
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence):
                fence = None
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif m := re.match(r"(#{1,6})\s", line):
            yield i, len(m.group(1))


def _one_title(nb: dict, docname: str) -> None:
    """Give a notebook whose Markdown has no single leading level-1 heading a title."""
    markdown = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    levels = [level for c in markdown for _, level in _headings(_text(c))]
    if levels and levels[0] == 1 and levels.count(1) == 1:
        return
    for cell in markdown if 1 in levels else []:  # no level 1 at all: a title is enough
        lines = _text(cell).split("\n")
        for i, _ in _headings("\n".join(lines)):
            if not lines[i].startswith("######"):
                lines[i] = "#" + lines[i]
        cell["source"] = "\n".join(lines)
    title = nb.get("metadata", {}).get("title") or docname.replace("_", " ")
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": f"# {title}\n"})


def _notebook(app, docname: str, source: list[str]) -> None:
    nb = json.loads(source[0])
    cells = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if DROP_TAGS & set(tags):
            continue
        if {"hide-input", "hide-code"} & set(tags) and not cell.get("outputs"):
            continue
        if "solution" in tags and cell["cell_type"] == "markdown":
            # MyST-NB folds code cells only: a <details> around the Markdown does the same.
            cell["source"] = ("<details class=\"solution\">\n<summary>Solution</summary>\n\n"
                              f"{_text(cell)}\n\n</details>\n")
        elif tags:
            cell["metadata"]["tags"] = [TAG_MAP.get(t, t) for t in tags]
            if "solution" in tags:
                cell["metadata"].setdefault("mystnb", {}).update(
                    code_prompt_show="Show the solution", code_prompt_hide="Hide the solution")
        cells.append(cell)
    nb["cells"] = cells
    _one_title(nb, docname)
    cells = nb["cells"]
    note = {"cell_type": "markdown", "metadata": {}, "source":
            f"```{{admonition}} Downloads\n:class: tip\n{_download_line(app, docname)}\n```\n"}
    if any("id" in c for c in cells):  # nbformat >= 4.5: every cell has an id
        note["id"] = "hamodel-site-downloads"
        for i, cell in enumerate(cells):
            cell.setdefault("id", f"hamodel-site-{i}")
    first_md = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
    cells.insert(first_md + 1, note)
    nb["cells"] = cells
    nb.get("metadata", {}).pop("widgets", None)
    source[0] = json.dumps(nb)


def _home(app, source: list[str]) -> None:
    stems = _notebooks(app)
    extra = ["", "## Contents", "",
             "```{toctree}", ":maxdepth: 1", ":caption: Notebooks", ":glob:", "", "[0-9]*", "```",
             "", "```{toctree}", ":maxdepth: 1", ":caption: Reference", ""]
    # The teacher's guide and the glossary first, then any other page notebooks/ holds
    # (a page outside every toctree would fail the build).
    first = ("TEACHING", "GLOSSARY")
    pages = sorted(p.stem for p in Path(app.srcdir).glob("*.md")
                   if p.stem != root_doc and not p.stem[:1].isdigit())  # digits: Notebooks
    extra += [name for name in first if name in pages] + [n for n in pages if n not in first]
    extra += ["```", "", "## Downloads", "",
              "Student notebooks (`make student`: each solution a blank answer cell, outputs cleared) "
              "and the executed notebooks as this site shows them:", "",
              "| notebook | downloads |", "| --- | --- |"]
    extra += [f"| [{stem}]({stem}.ipynb) | {_download_line(app, stem, '')} |" for stem in stems]
    source[0] += "\n".join(extra) + "\n"


def _source_read(app, docname: str, source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if path.suffix == ".ipynb":
        _notebook(app, docname, source)
    elif docname == root_doc:
        _home(app, source)


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True}
