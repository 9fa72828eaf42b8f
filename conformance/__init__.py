"""koscom-conformance: contract-conformance suite for the KOSCOM open platform's broker APIs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("koscom-conformance")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
