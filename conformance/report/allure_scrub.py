"""allure-pytest writes its own result files, with the check's exception text (which quotes the
broker) in `statusDetails.message` and `trace`. This hooks in before its file writer: every string of
every result and container is scrubbed in place (`conformance.redact.scrub`). Attachments are
scrubbed where they are made (`allure_labels.attach_evidence`), and `conformance run` sweeps the
folder once more when pytest is done (`conformance.outputs.sweep`).
"""

from __future__ import annotations

from typing import Any

import allure_commons
import pytest

from conformance.redact import scrub


def scrub_in_place(item: Any, depth: int = 0) -> None:
    """Replace every string attribute of an attrs object tree (allure_commons.model2) by its scrubbed form."""
    fields = getattr(type(item), "__attrs_attrs__", None)
    if fields is None or depth > 20:
        return
    for field in fields:
        value = getattr(item, field.name, None)
        if isinstance(value, str):
            setattr(item, field.name, scrub(value))
        elif isinstance(value, list):
            for index, element in enumerate(value):
                if isinstance(element, str):
                    value[index] = scrub(element)
                else:
                    scrub_in_place(element, depth + 1)
        else:
            scrub_in_place(value, depth + 1)


class AllureScrubber:
    """An allure_commons plugin whose hooks run before AllureFileLogger's (tryfirst)."""

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        scrub_in_place(result)

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: Any) -> None:
        scrub_in_place(container)


def install_allure_scrubber(config: pytest.Config) -> None:
    """Register the scrubber with allure_commons once per process."""
    if not any(isinstance(p, AllureScrubber) for p in allure_commons.plugin_manager.get_plugins()):
        scrubber = AllureScrubber()
        allure_commons.plugin_manager.register(scrubber)
        config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(scrubber))
