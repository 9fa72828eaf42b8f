"""Passive judging of captured traffic (`conformance judge --har`): har.py streams the capture,
entries.py turns entries into exchanges, judge.py judges them, command.py writes the outputs."""
