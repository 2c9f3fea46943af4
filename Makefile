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

# Where we may (root with apt-get), install from Debian what is missing: the real FashionMNIST
# (dataset-fashion-mnist) for everyone; for `make test` also PostgreSQL, whose server the gradebook
# tests start on loopback.
DEBIAN_PACKAGES_lab  := dataset-fashion-mnist
DEBIAN_PACKAGES_test := dataset-fashion-mnist postgresql bubblewrap
system-packages:
	@missing=""; \
	for package in $(if $(filter test,$(MAKECMDGOALS)),$(DEBIAN_PACKAGES_test),$(DEBIAN_PACKAGES_lab)); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing from Debian:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif [ -n "$$missing" ]; then \
	  echo "Not installed (needs root and apt-get):$$missing"; \
	fi

data: $(STAMP)
	$(BIN)/python -m helpers.data
