"""Judges of one exchange that raise as checks do (`checking.violate`), shared by the suites and by
passive judging (`conformance judge --har`); a caller outside pytest catches the violation as its
finding. The pure judges, from messages to findings, are `conformance.judges`."""
