# Registers the conformance plugin for pytest runs from the repository root
# (e.g. `pytest suites/ --profile profiles/diamond.yaml`); `conformance run` passes it with -p.
pytest_plugins = ["conformance.plugin"]
