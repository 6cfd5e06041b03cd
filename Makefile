# The two commands a newcomer needs (see README):
#   make run   installs everything, migrates, loads demo data, serves http://127.0.0.1:8000 with the worker
#   make test  installs everything the same way and runs the whole test suite
#   make bench runs every benchmark and prints one table (BENCH_ARGS: e.g. --quick, --only upload,import)
.PHONY: run test bench setup lint typecheck lock messages ci

run: setup
	./scripts/run

# --dist load hands tests out one by one: --dist loadfile keeps a file on one worker, and tests/test_url_matrix.py
# alone holds a quarter of the suite.
test: setup
	.venv/bin/python -m pytest -n 2 --dist load $(PYTEST_ARGS)

bench: setup
	./bench/run $(BENCH_ARGS)

setup:
	./scripts/setup

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy .

lock:
	./scripts/lock

messages:
	./scripts/messages
