# Two commands do all the set-up: `make lab` (learners) and `make test` (everything CI checks).
# Both create .venv if missing, install the locked stack, prepare the data, and reuse all of it
# on a second run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INSTALL_LOG := $(VENV)/install.log
WORK   := my-work
UV_VERSION := 0.13.9
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab instructor-lab test test-fast lint setup data system-packages lessons-copy lock

# The learner's Lab (helpers/learner_lab.py): nbgrader's Validate button with the course's settings,
# no instructor views, no news or kernel prompts.
lab: setup lessons-copy
	@echo "Opening JupyterLab on $(WORK)/, your own copy of the lessons. Stop it with Ctrl-C."
	$(BIN)/python -m helpers.learner_lab $(WORK)

# Instructors: every nbgrader view (Formgrader, Create Assignment, ...) on the whole repository.
instructor-lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ROOT_FLAG)

# Everything CI checks: the lint, then every test (prerequisites missing here fail under CI=true).
test: setup lint
	$(BIN)/python -m pytest

# The local loop: lint and the tests not marked slow (no notebook executions, no grading; under a minute).
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check .

setup: system-packages $(STAMP) data

# Your answers live in my-work/: `git pull` and a new release only ever change lessons/. A lesson
# is copied once, when my-work/ does not have it yet; to start a lesson afresh, delete its copy.
lessons-copy:
	@mkdir -p $(WORK)
	@copied=""; for lesson in lessons/*.ipynb; do \
	  if [ ! -e "$(WORK)/$${lesson##*/}" ]; then cp "$$lesson" "$(WORK)/" && copied="$$copied $${lesson##*/}"; fi; \
	done; \
	if [ -n "$$copied" ]; then echo "Copied to $(WORK)/:$$copied"; fi

# requirements.txt is the list people edit; requirements.lock pins every package beneath it too, and
# every install is constrained by it. Torch is installed first: on Linux without an NVIDIA GPU the
# CPU-only build from PyTorch's own index, else (or when that fails) the default build from PyPI,
# which bundles CUDA. pip runs quietly: one line per step here, pip's whole output in $(INSTALL_LOG).
# Measured here: the environment takes 6.2 GB with the default build; about 1.6 GB with the CPU-only one.
$(STAMP): requirements.txt requirements.lock pyproject.toml
	@test -x $(BIN)/python || { echo "Creating the virtual environment in $(VENV)/"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the course's packages; pip's full output goes to $(INSTALL_LOG)"
	@echo "=== $$(date -u '+%F %T UTC'): install" >> $(INSTALL_LOG)
	@torch_pins="$$(grep -E '^(torch|torchvision)==' requirements.txt | tr '\n' ' ' | sed 's/ $$//')"; \
	if [ "$$(uname -s)" = Linux ] && ! $(BIN)/python -c "import torch" 2>/dev/null \
	   && ! command -v nvidia-smi >/dev/null && [ ! -e /proc/driver/nvidia/version ]; then \
	  echo "No NVIDIA GPU found: trying PyTorch's CPU-only build ($$torch_pins, about 1 GB)..."; \
	  echo "=== CPU-only torch from https://download.pytorch.org/whl/cpu" >> $(INSTALL_LOG); \
	  if $(BIN)/python -m pip install --disable-pip-version-check --timeout 20 --retries 0 \
	       --index-url https://download.pytorch.org/whl/cpu $$(echo $$torch_pins | sed 's/ /+cpu /g; s/$$/+cpu/') \
	       > $(INSTALL_LOG).step 2>&1; then \
	    echo "  installed the CPU-only build of torch."; \
	  else \
	    echo "  the CPU-only build could not be installed. pip said:"; \
	    grep -E '^ERROR:|^ +The user requested|^WARNING: Retrying' $(INSTALL_LOG).step | head -n 6 | sed 's/^/    /'; \
	    echo "  Installing the default build from PyPI instead: it bundles CUDA, so the environment"; \
	    echo "  takes about 6 GB instead of about 1.6 GB, and the download takes several minutes."; \
	  fi; \
	  cat $(INSTALL_LOG).step >> $(INSTALL_LOG); rm -f $(INSTALL_LOG).step; \
	fi
	@echo "Installing the locked packages (about 140, and torch if not installed yet): a few minutes..."
	@echo "=== the locked packages" >> $(INSTALL_LOG)
	@$(BIN)/python -m pip install -q --disable-pip-version-check \
	  -c requirements.lock -r requirements.txt -e . > $(INSTALL_LOG).step 2>&1; status=$$?; \
	cat $(INSTALL_LOG).step >> $(INSTALL_LOG); \
	if [ $$status -ne 0 ]; then \
	  echo "pip failed (its whole output is in $(INSTALL_LOG)); it said:"; tail -n 20 $(INSTALL_LOG).step | sed 's/^/  /'; \
	fi; \
	rm -f $(INSTALL_LOG).step; exit $$status
	@touch $(STAMP)
	@echo "  done: $$(du -sh $(VENV) 2>/dev/null | cut -f1) in $(VENV)/ ($$($(BIN)/python -c 'import torch; print("torch", torch.__version__)'))."

# Regenerate requirements.lock after editing requirements.txt (needs PyPI).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile requirements.txt --universal --python-version 3.11 --quiet -o requirements.lock

# Where we may (root with apt-get), install from Debian what is missing: the real FashionMNIST
# (dataset-fashion-mnist) for everyone; for `make test` also PostgreSQL, whose server the gradebook
# tests start on loopback, bubblewrap for the grading sandbox and Chromium for the browser test.
DEBIAN_PACKAGES_lab  := dataset-fashion-mnist
DEBIAN_PACKAGES_test := dataset-fashion-mnist postgresql bubblewrap chromium
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
	@$(BIN)/python -m helpers.data
