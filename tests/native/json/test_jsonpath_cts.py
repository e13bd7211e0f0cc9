"""The JSONPath Compliance Test Suite (RFC 9535), every case (data/README.md says where from).

A case either has an invalid selector, which must raise ValidationError for the
path, or a document and the expected values (``result``) and Normalized Paths
(``result_paths``). Where the RFC allows several orders (object members have no
order), ``results``/``results_paths`` list them all and any one may match.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from infra_portable.errors import ValidationError
from infra_portable.json._jsonpath import compile_path, query_nodes

CTS_FILE = pathlib.Path(__file__).parent / "data" / "jsonpath_cts.json"
CASES: list[dict[str, Any]] = json.loads(CTS_FILE.read_text(encoding="utf-8"))["tests"]


def _canonical(values: list[Any]) -> str:
    # Python's == says True == 1 == 1.0, which would hide exactly the mistakes
    # JSONPath comparison rules are about; JSON text does not.
    return json.dumps(values, sort_keys=True)


def test_suite_is_complete() -> None:
    assert len(CASES) == 687
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_cts_case(case: dict[str, Any]) -> None:
    selector: str = case["selector"]
    if case.get("invalid_selector"):
        with pytest.raises(ValidationError) as caught:
            compile_path(selector)
        assert caught.value.field == "path"
        assert "offset" in caught.value.message
        return

    nodes = query_nodes(case["document"], selector)
    values = _canonical([node.value for node in nodes])
    paths = [node.path for node in nodes]
    if "result" in case:
        assert values == _canonical(case["result"])
        if "result_paths" in case:
            assert paths == case["result_paths"]
        return
    expected_paths = case.get("results_paths") or [None] * len(case["results"])
    allowed = list(zip(case["results"], expected_paths, strict=True))
    assert any(
        values == _canonical(result) and (result_paths is None or paths == result_paths)
        for result, result_paths in allowed
    ), f"{values} / {paths} is none of the allowed results"
