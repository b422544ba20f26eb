# hamodel: build, test and report targets.
#
#   make test     venv + pytest (unit tests, doctests, notebooks under nbval); no TeX needed
#   make test-lowest  the tests again in .venv-lowest, every dependency at its declared floor
#   make report   venv + TeX, execute notebooks/*.ipynb, export PDFs into reports/
#   make client-report STACK=ha_mmm_nfs.yaml TOLERATED=20min SLA=99.95% COST=1000  one client's PDF (notebook 14)
#   make student  notebooks with blank answer cells for the solutions, outputs cleared, into build/student/
#   make site     the executed notebooks as a static HTML book in build/site/ (open index.html)
#   make bench    run benchmarks/*.py (installs the bench extra: simpy)
#   make tex      install the Debian packages nbconvert's PDF (LaTeX) route needs
#   make clean    remove build outputs;  make distclean  also removes .venv and .venv-lowest

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON   ?= python3
VENV     := .venv
VPY      := $(VENV)/bin/python
JUPYTER  := $(VENV)/bin/jupyter
STAMP    := $(VENV)/.hamodel-installed
EXTRAS   := test,notebooks
PYTEST_ARGS ?=
# make test-lowest: a second venv with every dependency of the package and of the test
# extra pinned to the floor pyproject.toml declares (.ci/floors.py writes the pins).
LOWEST_VENV  := .venv-lowest
LOWEST_VPY   := $(LOWEST_VENV)/bin/python
LOWEST_STAMP := $(LOWEST_VENV)/.hamodel-installed
# Without the notebooks (nbval is dropped from the addopts: `-p no:nbval` would leave
# --nbval in addopts as an unknown option) and the PDF reports: they test the notebooks
# extra and TeX, not the package's floors, and take most of the time of `make test`.
LOWEST_PYTEST := -o addopts="-ra --strict-markers --strict-config --doctest-modules \
                 --doctest-continue-on-failure" \
                 --ignore=notebooks --ignore=tests/test_notebooks.py --ignore=tests/test_reports.py \
                 --ignore=tests/test_site.py

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
REPORTS   := $(patsubst notebooks/%.ipynb,reports/%.pdf,$(NOTEBOOKS))
STUDENT   := $(patsubst notebooks/%.ipynb,build/student/%.ipynb,$(NOTEBOOKS))
# A report is stale when the package or the data it reads changes (data/ links to hamodel/_data).
REPORT_DEPS := $(shell find hamodel -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.yml' -o -name '*.csv' \) 2>/dev/null)

# Quieter Jupyter: no platformdirs migration warning, no debugpy frozen-modules warning.
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Debian packages for `jupyter nbconvert --to pdf` (xelatex + pandoc).
TEX_PACKAGES := texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc lmodern \
                poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# nbconvert tag handling shared by report and student.
# * hide-input (alias hide-code): show the output only
# * hide-output: show the input only;  remove-cell: drop the cell
TAGS := --TagRemovePreprocessor.enabled=True \
        --TagRemovePreprocessor.remove_input_tags=hide-input \
        --TagRemovePreprocessor.remove_input_tags=hide-code \
        --TagRemovePreprocessor.remove_all_outputs_tags=hide-output \
        --TagRemovePreprocessor.remove_cell_tags=remove-cell
# The PDF drops live widgets (tag `interactive`): each such cell has a static twin.
REPORT_TAGS := $(TAGS) --TagRemovePreprocessor.remove_cell_tags=interactive
NB_TIMEOUT := 600

# make site: Sphinx + MyST-NB over notebooks/ itself (site/conf.py says why), from the
# outputs stored in the notebooks (nbval keeps them current): nothing is re-executed.
# Warnings are errors: a broken link, a missing student copy or an unknown output fails it.
# tests/test_site.py runs this same target into a directory of its own.
SITE_DIR    ?= build/site
SITE_STAMP  := $(VENV)/.hamodel-site-installed
SITE_SPHINX := -b html -q -W --keep-going -c site notebooks

# make client-report: notebook 14 run by papermill with these parameters, through the
# `hamodel report` command (hamodel/cli.py: the same pipeline, the same tags). STACK and
# BASELINE name a file in data/stacks (or any existing path); BASELINE empty: the stack's own.
STACK         ?= ha_galera_drbd.yaml
BASELINE      ?=
TOLERATED     ?= 20min
SLA           ?= 99.95%
TRAFFIC       ?= business
NIGHT_RESPONSE ?= 1h
COST          ?= 1000
INCIDENT_COST ?=
HA_COST       ?=
CLIENT        ?= Example client
CLIENT_STEM   := $(basename $(notdir $(STACK)))
# papermill's injected-parameters cell is code: it stays out of the PDF too. hamodel/cli.py
# holds the same list (REPORT_TAGS); tests/test_cli.py checks that the two agree.
CLIENT_REPORT_TAGS := $(REPORT_TAGS) --TagRemovePreprocessor.remove_cell_tags=injected-parameters
shq = '$(subst ','\'',$(1))'
stack_arg = $(call shq,$(if $(wildcard $(1)),$(abspath $(1)),$(1)))

.PHONY: help venv test test-lowest tex-if-possible browser-if-possible report client-report \
        student site bench tex clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

## ---- environment -------------------------------------------------------

$(VPY):
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when pyproject.toml changes (or the venv is new).
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --upgrade pip
	$(VPY) -m pip install -e '.[$(EXTRAS)]'
	touch $@

venv: $(STAMP)

## ---- tests ---------------------------------------------------------------

# pytest exits 5 when it collected no tests; that must fail the build (and CI).
# The PDF checks in tests/test_reports.py need TeX and poppler: installed here when
# this machine allows it (root or passwordless sudo, apt-get), skipped with a reason
# by the tests otherwise. The same goes for Chromium, which tests/test_site.py drives
# (through playwright, from the site extra) over the site it builds.
test: venv $(SITE_STAMP) tex-if-possible browser-if-possible
	@rc=0; $(VPY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

# Reinstalled when pyproject.toml (hence a floor) changes.
$(LOWEST_STAMP): pyproject.toml .ci/floors.py
	@[ -x $(LOWEST_VPY) ] || $(PYTHON) -m venv $(LOWEST_VENV)
	@mkdir -p build
	$(PYTHON) .ci/floors.py test > build/floors.txt
	@echo "test-lowest: pins"; sed 's/^/  /' build/floors.txt
	$(LOWEST_VPY) -m pip install -c build/floors.txt -e '.[test]'
	touch $@

test-lowest: $(LOWEST_STAMP)
	@rc=0; $(LOWEST_VPY) -m pytest $(LOWEST_PYTEST) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test-lowest: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

BENCH_STAMP := $(VENV)/.hamodel-bench-installed
$(BENCH_STAMP): $(STAMP)
	$(VPY) -m pip install -e '.[$(EXTRAS),bench]'
	touch $@

bench: $(BENCH_STAMP)
	@shopt -s nullglob; files=(benchmarks/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "make bench: no benchmarks/*.py" >&2; exit 1; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(VPY) "$$f"; done

# The site extra: Sphinx, MyST-NB, the theme, MathJax, and playwright for its browser test.
$(SITE_STAMP): $(STAMP)
	$(VPY) -m pip install -e '.[$(EXTRAS),site]'
	touch $@

## ---- browser (tests/test_site.py) --------------------------------------------
# Debian's Chromium (playwright drives it; its own browser downloads are never used).
browser-if-possible:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  echo "browser: installing chromium"; \
	  $(SUDO) apt-get update; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends \
	    chromium fonts-liberation; \
	else echo "make test: no Chromium and no way to install it here; tests/test_site.py will be skipped"; fi

## ---- TeX -----------------------------------------------------------------
tex-if-possible:
	@if command -v xelatex >/dev/null && command -v pandoc >/dev/null && command -v pdftotext >/dev/null; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  $(MAKE) --no-print-directory tex; \
	else echo "make test: no TeX and no way to install it here; the PDF checks will be skipped"; fi


tex:
	@if command -v xelatex >/dev/null && command -v pandoc >/dev/null && command -v pdftotext >/dev/null; then \
	  echo "tex: xelatex, pandoc and poppler present"; \
	else \
	  echo "tex: installing $(TEX_PACKAGES)"; \
	  $(SUDO) apt-get update; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(TEX_PACKAGES); \
	fi

## ---- reports ---------------------------------------------------------------

report: venv tex
	@if [ -z "$(NOTEBOOKS)" ]; then echo "make report: no notebooks/*.ipynb" >&2; exit 1; fi
	@$(MAKE) --no-print-directory $(REPORTS)
	@echo "reports: $(REPORTS)"

# Executes the notebook (kernel cwd = notebooks/) and exports it through LaTeX.
reports/%.pdf: notebooks/%.ipynb $(STAMP) $(REPORT_DEPS)
	@mkdir -p reports
	$(JUPYTER) nbconvert --to pdf --execute \
	  --ExecutePreprocessor.timeout=$(NB_TIMEOUT) $(REPORT_TAGS) \
	  --output-dir reports --output $* $<

client-report: venv tex
	@mkdir -p build reports
	$(VENV)/bin/hamodel report $(call stack_arg,$(STACK)) --tolerated $(call shq,$(TOLERATED)) \
	  --sla $(call shq,$(SLA)) --traffic $(call shq,$(TRAFFIC)) \
	  --night-response $(call shq,$(NIGHT_RESPONSE)) \
	  --cost-per-hour $(COST) --client $(call shq,$(CLIENT)) \
	  $(if $(INCIDENT_COST),--incident-cost $(INCIDENT_COST)) \
	  $(if $(BASELINE),--baseline $(call stack_arg,$(BASELINE))) \
	  $(if $(HA_COST),--ha-cost $(HA_COST)) \
	  --notebook build/14_client_report-$(CLIENT_STEM).ipynb \
	  -o reports/14_client_report-$(CLIENT_STEM).pdf

student: venv
	@if [ -z "$(NOTEBOOKS)" ]; then echo "make student: no notebooks/*.ipynb" >&2; exit 1; fi
	@$(MAKE) --no-print-directory $(STUDENT)

# Solutions become blank `answer = ...` cells that the exercise's check cell reads
# (hamodel/exercises.py: student_notebook); outputs are cleared.
build/student/%.ipynb: notebooks/%.ipynb hamodel/exercises.py $(STAMP)
	@mkdir -p build/student
	$(VPY) -m hamodel.exercises $< build/student

# The static book. Rebuilt whole (a few seconds): pages of removed notebooks do not linger.
site: $(SITE_STAMP) student
	@if [ -z "$(NOTEBOOKS)" ]; then echo "make site: no notebooks/*.ipynb" >&2; exit 1; fi
	rm -rf $(SITE_DIR)
	HAMODEL_STUDENT_DIR=$(CURDIR)/build/student $(VPY) -m sphinx $(SITE_SPHINX) $(SITE_DIR)
	@echo "site: $(SITE_DIR)/index.html"

## ---- housekeeping ------------------------------------------------------------

clean:
	rm -rf build reports dist .pytest_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) $(LOWEST_VENV)

# Print a variable, e.g. `make -s print-REPORT_TAGS` (tests run the same nbconvert options).
print-%:
	@echo $(call shq,$($*))
