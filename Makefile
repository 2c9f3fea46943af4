# Two commands do all the set-up: `make lab` (learners) and `make test` (everything CI checks).
# Both create .venv if missing, install the pinned stack, prepare the data, and reuse all of it
# on a second run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEBIAN_DATA := /usr/share/datasets/fashion-mnist
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test setup data system-packages

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=lessons $(ROOT_FLAG)

test: setup
	$(BIN)/python -m pytest

setup: system-packages $(STAMP) data

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $(STAMP)

# Debian ships the real FashionMNIST; install it where we may (root with apt-get) and it is missing.
system-packages:
	@if [ ! -d $(DEBIAN_DATA) ] && [ -z "$$FASHION_MNIST_MIRROR" ] && [ "$$(id -u)" = 0 ] \
	    && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's dataset-fashion-mnist"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	fi

data: $(STAMP)
	$(BIN)/python -m helpers.data
