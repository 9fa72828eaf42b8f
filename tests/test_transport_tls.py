"""TLS toward the gateway: verified by default, a private CA and a client certificate settable.

Certificates are made fresh for each run with the `openssl` command line (self-signed, 127.0.0.1).
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_gateway import HostileGateway

from conformance.client.transport import (
    Limits,
    TlsOptions,
    TransportConfigError,
    TransportResult,
    make_http_client,
    perform,
)

LIMITS = Limits(timeout_s=5.0, requests_per_second=None)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is needed")


def _self_signed(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={common_name}",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pki")
    server_cert, server_key = _self_signed(directory, "server", "127.0.0.1")
    client_cert, client_key = _self_signed(directory, "client", "conformance-client")
    return {"server_cert": server_cert, "server_key": server_key,
            "client_cert": client_cert, "client_key": client_key}


def _server_context(pki: dict[str, Path], require_client_cert: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki["client_cert"])
    return context


@pytest.fixture(scope="module")
def tls_gateway(pki: dict[str, Path]) -> Iterator[HostileGateway]:
    with HostileGateway(ssl_context=_server_context(pki, require_client_cert=False)) as gw:
        yield gw


class _BlockingServer:
    """A plain-socket server, one connection at a time, for what asyncio's TLS does not do.

    asyncio drops a connection whose TLS handshake failed without sending the alert; real
    gateways (and OpenSSL on a blocking socket) send "certificate required" first.
    """

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._serve = serve
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.port = self._listener.getsockname()[1]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._serve(conn)
                except OSError:
                    pass  # a failed handshake is the point of some tests

    def __enter__(self) -> _BlockingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


def _answer_over_tls(context: ssl.SSLContext) -> Callable[[socket.socket], None]:
    def serve(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = tls.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:  # read it all: closing on unread bytes would send a reset
                body += tls.recv(65536)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                        b"Connection: close\r\n\r\n{}")
    return serve


@pytest.fixture(scope="module")
def mtls_gateway(pki: dict[str, Path]) -> Iterator[str]:
    with _BlockingServer(_answer_over_tls(_server_context(pki, require_client_cert=True))) as server:
        yield f"https://127.0.0.1:{server.port}"


def _call(tls: TlsOptions, url: str) -> TransportResult:
    with make_http_client(tls, LIMITS) as client:
        return perform(client, "POST", url + "/v1/diamond/account/balance", {}, b"{}", LIMITS)


def test_self_signed_gateway_is_rejected_by_default(tls_gateway: HostileGateway) -> None:
    result = _call(TlsOptions(), tls_gateway.url)
    assert result.error_kind == "tls"
    assert result.status is None
    assert "self-signed" in (result.error or "")


def test_ssl_cert_file_in_the_environment_is_ignored(tls_gateway: HostileGateway, pki: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust comes from the profile only: an environment variable cannot make a gateway trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(pki["server_cert"]))
    assert _call(TlsOptions(), tls_gateway.url).error_kind == "tls"


def test_ca_bundle_makes_the_gateway_trusted(tls_gateway: HostileGateway, pki: dict[str, Path]) -> None:
    result = _call(TlsOptions(ca_bundle=str(pki["server_cert"])), tls_gateway.url)
    assert (result.status, result.error_kind) == (200, None), result.error


def test_a_different_ca_does_not_make_it_trusted(tls_gateway: HostileGateway, pki: dict[str, Path]) -> None:
    result = _call(TlsOptions(ca_bundle=str(pki["client_cert"])), tls_gateway.url)
    assert result.error_kind == "tls"


def test_verification_can_be_turned_off(tls_gateway: HostileGateway) -> None:
    result = _call(TlsOptions(verify=False), tls_gateway.url)
    assert (result.status, result.error_kind) == (200, None), result.error


def test_mtls_gateway_refuses_a_client_without_certificate(mtls_gateway: str, pki: dict[str, Path]) -> None:
    result = _call(TlsOptions(ca_bundle=str(pki["server_cert"])), mtls_gateway)
    assert result.error_kind == "tls", result.error
    assert result.status is None


def test_mtls_gateway_accepts_the_client_certificate(mtls_gateway: str, pki: dict[str, Path]) -> None:
    tls = TlsOptions(ca_bundle=str(pki["server_cert"]), client_cert=str(pki["client_cert"]),
                     client_key=str(pki["client_key"]))
    result = _call(tls, mtls_gateway)
    assert (result.status, result.error_kind) == (200, None), result.error


def test_https_to_a_plain_http_gateway_is_a_tls_failure() -> None:
    """A gateway that answers a TLS hello in plain HTTP (a wrong scheme in the profile)."""

    def plain_400(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with _BlockingServer(plain_400) as plain:
        result = _call(TlsOptions(), f"https://127.0.0.1:{plain.port}")
    assert result.error_kind == "tls"


@pytest.mark.parametrize("options, word", [
    (TlsOptions(ca_bundle="/nonexistent/ca.pem"), "CA bundle"),
    (TlsOptions(client_cert="/nonexistent/client.pem"), "client certificate"),
    (TlsOptions(client_key="/nonexistent/client.key"), "without a client certificate"),
])
def test_unusable_tls_files_are_named_at_client_creation(options: TlsOptions, word: str) -> None:
    with pytest.raises(TransportConfigError, match=word):
        make_http_client(options, LIMITS)


def test_a_file_that_is_not_a_certificate_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "ca.pem"
    junk.write_text("not a certificate")
    with pytest.raises(TransportConfigError, match="no usable certificate"):
        make_http_client(TlsOptions(ca_bundle=str(junk)), LIMITS)
