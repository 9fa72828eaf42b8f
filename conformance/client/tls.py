"""TLS settings for talking to a broker's gateway: verification on unless a profile turns it off.

One value object (`TlsOptions`) and one function that turns it into an `ssl.SSLContext`, so the
client never passes loose paths or booleans to httpx (whose `verify=<path>` form is deprecated).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import httpx


class TransportConfigError(ValueError):
    """The profile's transport settings cannot be used (a missing or unreadable certificate file)."""


@dataclass(frozen=True)
class TlsOptions:
    verify: bool = True
    ca_bundle: str | None = None  # PEM file of the CAs to trust instead of the default bundle
    client_cert: str | None = None  # PEM path (mTLS); may hold the key too
    client_key: str | None = None


def _readable(path: str, what: str) -> str:
    if not Path(path).is_file():
        raise TransportConfigError(f"the {what} file {path!r} does not exist or is not a file")
    return path


def build_ssl_context(tls: TlsOptions) -> ssl.SSLContext:
    """An SSLContext for `tls`: default trust (certifi; SSL_CERT_FILE and SSL_CERT_DIR are ignored, as
    every other setting from the environment), the profile's CA bundle, or none."""
    if not tls.verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif tls.ca_bundle:
        cafile = _readable(tls.ca_bundle, "CA bundle")
        try:
            context = ssl.create_default_context(cafile=cafile)
        except ssl.SSLError as exc:
            message = f"the CA bundle {cafile!r} holds no usable certificate: {exc}"
            raise TransportConfigError(message) from exc
    else:
        context = httpx.create_ssl_context(verify=True, trust_env=False)
    # Brokers' gateways are required to offer TLS 1.2 or later; older versions are refused outright.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.client_cert:
        cert = _readable(tls.client_cert, "client certificate")
        key = _readable(tls.client_key, "client key") if tls.client_key else None
        try:
            context.load_cert_chain(cert, key)
        except (ssl.SSLError, OSError) as exc:
            raise TransportConfigError(
                f"the client certificate {cert!r} (key {key or 'in the same file'!r}) cannot be loaded: {exc}"
            ) from exc
    elif tls.client_key:
        raise TransportConfigError("a client key was given without a client certificate")
    return context
