"""Judges of one exchange (or one request/response pair), shared by the suites and by passive
judging (`conformance judge --har`). Each raises `ContractViolation` through `checking.violate`,
exactly as it does inside a check; a caller outside pytest catches it as the finding."""
