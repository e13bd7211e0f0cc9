"""JSON: our loads/dumps (through the chosen codec) vs every installed JSON library.

Two documents: an LLM chat-completion response (~1 KB, with ``null`` members, as
real responses have) and the same without nulls or exponent floats — the case
where the orjson codec can return orjson's bytes without re-encoding.
"""

from __future__ import annotations

import json
from typing import Any

from _harness import Group, ops_per_second


def _documents() -> dict[str, Any]:
    def completion(with_nulls: bool) -> dict[str, Any]:
        return {
            "id": "chatcmpl-8x7Yz",
            "object": "chat.completion",
            "created": 1732233600,
            "model": "gpt-4o-2024-08-06",
            "system_fingerprint": None if with_nulls else "fp_1234",
            "choices": [
                {
                    "index": i,
                    "message": {
                        "role": "assistant",
                        "content": "Here is a concise answer to your question about vector "
                        "databases and approximate nearest neighbour search. " * 2,
                        "tool_calls": None if with_nulls else [],
                    },
                    "logprobs": None if with_nulls else {},
                    "finish_reason": "stop",
                }
                for i in range(3)
            ],
            "usage": {
                "prompt_tokens": 56,
                "completion_tokens": 131,
                "total_tokens": 187,
                "cost": 0.00231,
            },
        }

    return {"completion": completion(True), "completion-no-nulls": completion(False)}


def run(quick: bool) -> list[Group]:
    from infra_portable import json as ij

    min_time = 0.05 if quick else 0.25
    groups: list[Group] = []
    peers_loads: dict[str, Any] = {"stdlib json": json.loads}
    peers_dumps: dict[str, Any] = {"stdlib json": lambda v: json.dumps(v).encode()}
    try:
        import orjson

        peers_loads["orjson"] = orjson.loads
        peers_dumps["orjson"] = orjson.dumps
    except ImportError:
        pass
    try:
        import ujson

        peers_loads["ujson"] = ujson.loads
        peers_dumps["ujson"] = lambda v: ujson.dumps(v).encode()
    except ImportError:
        pass
    chosen = ij.codec().name
    for doc_name, doc in _documents().items():
        data = ij.dumpb(doc)
        loads = Group(f"json loads {doc_name} ({len(data)} B)", target=0.9)
        loads.ours[f"infra_portable ({chosen})"] = ops_per_second(
            lambda data=data: ij.loads(data), min_time=min_time
        )
        for name, fn in peers_loads.items():
            loads.peers[name] = ops_per_second(lambda fn=fn, data=data: fn(data), min_time=min_time)
        dumps = Group(f"json dumps {doc_name}", target=0.9)
        dumps.ours[f"infra_portable ({chosen})"] = ops_per_second(
            lambda doc=doc: ij.dumpb(doc), min_time=min_time
        )
        for name, fn in peers_dumps.items():
            dumps.peers[name] = ops_per_second(lambda fn=fn, doc=doc: fn(doc), min_time=min_time)
        groups += [loads, dumps]
    return groups
