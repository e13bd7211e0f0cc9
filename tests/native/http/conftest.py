"""The loopback server for the client tests: the harness's, or one started here natively.

Every runtime's harness starts ``tests/support/loopback_http.py`` and passes its
URL as ``INFRA_PORTABLE_TEST_HTTP_URL``. Run natively without it (plain
``pytest``), a server is started in this process for the session.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra_portable.runtime import current

ENV = "INFRA_PORTABLE_TEST_HTTP_URL"


@pytest.fixture(scope="session")
def http_url() -> Iterator[str]:
    url = os.environ.get(ENV)
    if not url and current().value != "native":
        pytest.skip(f"no loopback server: this runtime's harness sets {ENV}")
    support = Path(__file__).resolve().parents[2] / "support"
    if str(support) not in sys.path:
        sys.path.insert(0, str(support))
    import loopback_http

    with loopback_http.serving_unless(url) as served:
        yield served
