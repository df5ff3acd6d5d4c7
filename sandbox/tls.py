"""A throwaway certificate authority for stand-ins whose official client speaks only HTTPS."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalTLS:
    server_context: ssl.SSLContext  # for serve(..., ssl_context=...)
    ca_file: str  # PEM of the CA, for the client (verify=/ca_file=, SSL_CERT_FILE)


def local_tls(directory: Path) -> LocalTLS:
    """A throwaway CA and a 127.0.0.1/localhost certificate; the CA PEM is written to
    ``directory``."""
    import trustme  # a test-only dependency: import it only when TLS is asked for

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = directory / "sandbox-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LocalTLS(server_context=context, ca_file=str(ca_file))
