"""Layer 2 (just above its peers): simulators, usable in every runtime (no threads, no sockets).

* :class:`MockTransport`: a scripted HTTP transport (routes, SSE bodies) with the
  seed's ``with_latency``, ``with_failure_rate``, ``with_response``, plus failure
  sequences (status, connect, timeout, truncated body); seeded, so a run
  reproduces; ``client()``/``async_client()`` give clients that wait on its
  :class:`SimClock` instead of sleeping.
* :class:`RecordingTransport` / :class:`ReplayTransport`: capture real exchanges
  as portable JSON and answer from them anywhere.

The seed's ``MockHttpClient`` is ``MockTransport(...).client()``. ``MockVectorStore``
and ``MockMessageQueue`` are not here: the exact vector index already serves as a
test double, and the message queue module does not exist yet.
"""

from __future__ import annotations

from infra_portable.sim._clock import SimClock
from infra_portable.sim._http import Failure, MockReply, MockTransport, sse_body
from infra_portable.sim._record import Exchange, RecordingTransport, ReplayTransport

__all__ = [
    "SimClock",
    "MockTransport",
    "MockReply",
    "Failure",
    "sse_body",
    "RecordingTransport",
    "ReplayTransport",
    "Exchange",
]
