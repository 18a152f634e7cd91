# svlib: the two commands a newcomer needs are `make reports` and `make test`.
# Everything else is a step they call. `make help` lists the targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := svlib
LAB_OPTIONS ?=

.DEFAULT_GOAL := help
.PHONY: help setup reports test lab bench assumptions clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# the build backend's note about editable installs is for packagers, not for a newcomer's terminal
	PYTHONWARNINGS=ignore::UserWarning:setuptools.command.editable_wheel $(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (svlib)"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv, install svlib with its dependencies, register the Jupyter kernel 'svlib'

reports: setup  ## the main job: validate the example partners, build their tables, write one report each and the index page under outputs/example/
	$(BIN)/svlib reports --data data/raw/example
	@echo "Open the index page printed above in a browser."

test: setup  ## run every test
	$(BIN)/python -m pytest

lab: setup  ## open JupyterLab on the notebooks, the svlib kernel as every notebook's kernel
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --MappingKernelManager.default_kernel_name=$(KERNEL) $(LAB_OPTIONS)

bench: setup  ## run the benchmarks and print their figures
	$(BIN)/python benchmarks/run.py

assumptions: setup  ## regenerate docs/assumptions.md from the package
	$(BIN)/svlib assumptions > docs/assumptions.md.tmp && mv docs/assumptions.md.tmp docs/assumptions.md

clean:  ## remove the environment and generated outputs (raw data is never touched)
	rm -rf $(VENV) outputs/*/ data/processed/*/ data/processed/*.log .pytest_cache
