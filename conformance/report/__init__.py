"""Writers: results → report.html, junit.xml, evidence.zip, allure labels (and, elsewhere, summaries).

Writers only read the results record (results.json) and the evidence it carries; they know no HTTP
and no checks. Every text they write passes through `conformance.redact.scrub` first.
"""
