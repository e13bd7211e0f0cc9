"""Record real exchanges with the loopback server, replay them with no server at all."""

from __future__ import annotations

from infra_portable.http import HttpClient, HttpClientConfig, resolve_transport
from infra_portable.sim import RecordingTransport, ReplayTransport


def test_a_recording_of_real_exchanges_replays_the_same(http_url: str) -> None:
    recorder = RecordingTransport(resolve_transport(None), redact=["x-session"])
    config = HttpClientConfig(max_retries=0)
    with HttpClient(config, transport=recorder) as live:
        first = live.post(f"{http_url}/echo", json={"q": 1}, headers={"X-Session": "s3cret"})
        binary = live.get(f"{http_url}/bytes/300")
        missing = live.get(f"{http_url}/status/404")
        with live.stream("GET", f"{http_url}/sse?n=3") as streamed:
            events = [e.data for e in streamed.iter_sse()]
    saved = recorder.dumps()
    sent = dict((k.lower(), v) for k, v in recorder.exchanges[0].request_headers)
    assert sent["x-session"] == "[redacted]"  # headers are redacted; bodies are kept as they were
    with HttpClient(config, transport=ReplayTransport(saved, match_body=True)) as offline:
        again = offline.post(f"{http_url}/echo", json={"q": 1})
        assert again.json() == first.json()  # the recorded answer, echoed header and all
        assert offline.get(f"{http_url}/bytes/300").content == binary.content
        assert offline.get(f"{http_url}/status/404").status == missing.status == 404
        with offline.stream("GET", f"{http_url}/sse?n=3") as replayed:
            assert [e.data for e in replayed.iter_sse()] == events
    assert events[-1] == "[DONE]"
