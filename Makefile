# Two commands set everything up on a fresh machine with python3 and make:
#   make demo   run the product on its embedded defaults (first start: 90 days of history)
#   make test   lint + the whole test suite (what CI runs)
UV_VERSION := 0.13.9
UV := .tools/uv-$(UV_VERSION)/uv
VENV := .venv
SYNCED := $(VENV)/.synced-$(UV_VERSION)
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compiled modules are kept in .pycache/ and reused. Where the environment sets
# PYTHONDONTWRITEBYTECODE (this machine does), every Python process compiled each module it
# imports from source again, and the suite starts many: its servers and phone apps (again
# after each SIGKILL of the chaos runs), the benches' servers, the pytest workers. CPU per
# start, measured: a server 4.9 s -> 2.2 s, a phone app 2.6 s -> 1.1 s, collecting the
# suite in a pytest worker 16.6 s -> 5.8 s. Not inside .venv: the python3 that fetches uv
# writes there first, and uv will not build a venv over a folder that holds no Python.
export PYTHONPYCACHEPREFIX := $(CURDIR)/.pycache
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test lint fmt setup clean phone-assets

setup: $(SYNCED)

$(UV):
	python3 .ci/bootstrap_uv.py $(UV_VERSION) $(dir $(UV))

# Re-sync whenever the dependency declarations or the lock change.
$(SYNCED): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras
	@touch $@

demo: $(SYNCED)
	$(VENV)/bin/mingcha demo

lint: $(SYNCED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy  # packages and strictness: pyproject.toml [tool.mypy]

# One worker per CPU, each test module whole on one worker, the browser modules first and
# then those that drive server processes (tests/scheduling.py says why). The 25 slowest
# set-ups and tests are listed at the end (--durations in pyproject.toml addopts), then the
# time each worker spent in tests and the longest units. The type check runs beside the
# tests, not before them: cold, it takes ≈ 25 s of one CPU, while the suite leaves about
# 40 % of the two idle (its browser tests wait on the browser; measured: 11.3 CPU-minutes
# in 9.8). Its report follows the tests' and either failing fails `make test`.
test: $(SYNCED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@report=$$(mktemp); \
	$(VENV)/bin/mypy > $$report 2>&1 & types=$$!; \
	$(VENV)/bin/pytest -n auto --dist loadfile; tests=$$?; \
	wait $$types; typed=$$?; \
	echo "--- mypy (run beside the tests)"; cat $$report; rm -f $$report; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

fmt: $(SYNCED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Before `flet build apk|ipa` (README "Phone builds"): flet build reads the icon and splash
# only from app/assets/, and the offline UI needs the CJK font there (git-ignored copy).
phone-assets:
	mkdir -p app/assets/fonts
	cp assets/icons/icon.png assets/icons/splash.png app/assets/
	cp assets/fonts/NotoSansSC-Subset.otf assets/fonts/LICENSE-OFL.txt app/assets/fonts/

clean:
	rm -rf $(VENV) .pycache .pytest_cache .ruff_cache .mypy_cache
