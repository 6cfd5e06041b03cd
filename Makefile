# The two commands a newcomer needs (see README):
#   make run   installs everything, migrates, loads demo data, serves http://127.0.0.1:8000 with the worker
#   make test  installs everything the same way and runs the whole test suite
.PHONY: run test setup lint messages ci

run: setup
	./scripts/run

test: setup
	.venv/bin/python -m pytest -n 2 $(PYTEST_ARGS)

setup:
	./scripts/setup

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

messages:
	./scripts/messages
