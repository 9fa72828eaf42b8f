# One entry point for the routine tasks (run inside the project's venv).
.PHONY: lint test fast bench schemas

lint:
	ruff check conformance suites tests benchmarks
	mypy

test:
	python -m pytest -n 2

fast:
	python -m pytest -n 2 -m "not slow"

bench:
	python benchmarks/bench_validate.py
	python benchmarks/bench_run.py 3
	python benchmarks/bench_audit.py
	python benchmarks/bench_history_page.py
	python benchmarks/bench_live.py

schemas:
	python -m conformance.contract.build
