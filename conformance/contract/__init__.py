"""The machine-readable contract: API catalogue, JSON Schemas, null forms, message validation.

Pure: no I/O beyond reading schemas/.
"""

from conformance.contract.catalogue import (
    API_IDS,
    ApiSpec,
    FieldInfo,
    ListSpec,
    ProductGroups,
    RequestVariant,
    api_set,
    empty_means_all,
    empty_request_fields,
    get_api,
    load_catalogue,
    paging_field,
    product_groups,
    request_variant,
    unused_request_values,
)
from conformance.contract.errors import error_code
from conformance.contract.literals import Parsed, parse
from conformance.contract.nullforms import (
    MISSING,
    NO_VALUE_FORMS,
    get_path,
    is_no_value,
    same_or_both_empty,
    set_path,
)
from conformance.contract.validator import Violation, check_document, is_fake_no_value, validate

__all__ = [
    "api_set", "empty_means_all", "empty_request_fields", "error_code", "paging_field", "product_groups",
    "ProductGroups", "RequestVariant", "request_variant", "set_path", "unused_request_values",
    "API_IDS", "ApiSpec", "FieldInfo", "ListSpec", "MISSING", "NO_VALUE_FORMS", "Parsed", "Violation",
    "check_document", "get_api", "get_path", "is_fake_no_value", "is_no_value", "load_catalogue", "parse",
    "same_or_both_empty", "validate",
]
