"""Checking vectors, ids and metadata at the store's boundary.

Every bad input becomes an InfraError naming the operation and what was wrong:
a dimension mismatch or a non-finite component is a VectorError (with the
vector's dimensions), a bad id or metadata a ValidationError (with the field).
numpy arrays are checked with numpy when numpy is what the caller passed.
"""

from __future__ import annotations

import math
import numbers
import sys
from array import array
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import mul
from typing import Any

from infra_portable.errors import ValidationError, VectorError, VectorOperation
from infra_portable.vector._base import Distance, Precision

__all__ = ["check_id", "check_matrix", "check_metadata", "check_vector", "is_numpy"]

FLOAT32_MAX = 3.4028234663852886e38
FLOAT16_MAX = 65504.0


def _limit(precision: Precision) -> float:
    return FLOAT16_MAX if precision is Precision.F16 else FLOAT32_MAX


def check_id(value: object, field: str = "id") -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(
            "a vector id must be a non-empty string",
            field=field,
            expected="non-empty string",
            actual=repr(value)[:80],
        )
    return value


def check_metadata(value: object, field: str = "metadata") -> dict[str, Any] | None:
    """A JSON object (copied), or None."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError(
            "metadata must be a JSON object or None",
            field=field,
            expected="object",
            actual=type(value).__name__,
        )
    return _copy_json(value, field)  # type: ignore[no-any-return]


def _copy_json(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError("JSON has no NaN or infinity", field=where, actual=repr(value))
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(
                    "metadata keys must be strings", field=where, actual=repr(key)[:80]
                )
            out[key] = _copy_json(item, f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_copy_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise ValidationError(
        "metadata values must be JSON values",
        field=where,
        expected="null, bool, number, string, list or object",
        actual=type(value).__name__,
    )


def is_numpy(value: object) -> bool:
    return type(value).__module__.partition(".")[0] == "numpy" and hasattr(value, "dtype")


def check_vector(
    value: object,
    dimensions: int,
    distance: Distance,
    operation: VectorOperation,
    precision: Precision = Precision.F32,
) -> Sequence[float]:
    """A finite vector of the right length as float32 (unit length for cosine).

    The common case is checked at C speed (in numpy when it is loaded, else with
    ``array('f')`` and ``map``); only a bad vector takes the slow path that finds
    and names the bad component.
    """
    if is_numpy(value):
        checked = _check_numpy(value, dimensions, distance, operation, precision)
        if checked is not None:
            return checked  # type: ignore[no-any-return]
        value = value.tolist()  # type: ignore[attr-defined]
    if isinstance(value, str | bytes | bytearray | Mapping) or not hasattr(value, "__iter__"):
        raise VectorError(
            f"a vector must be a sequence of numbers, not {type(value).__name__}",
            operation=operation,
        )
    values: Sequence[Any] = value if isinstance(value, list | tuple) else list(value)
    if len(values) != dimensions:
        raise VectorError(
            f"dimension mismatch: expected {dimensions}, got {len(values)}",
            operation=operation,
            dimensions=len(values),
        )
    plain = set(map(type, values)) <= _PLAIN
    numpy = sys.modules.get("numpy")
    if plain and numpy is not None:
        # numpy is loaded already (its backends are in use): checking there is 2x faster.
        try:
            checked = _check_numpy(
                numpy.asarray(values, numpy.float64), dimensions, distance, operation, precision
            )
        except OverflowError:
            checked = None
        if checked is not None:
            return checked  # type: ignore[no-any-return]
    try:
        # float32 rounding happens here, as in every backend; a value beyond the
        # float32 range becomes inf and fails the finiteness test with NaN and inf.
        floats = array("f", values)
        fast = plain and all(map(math.isfinite, floats))
        if fast and precision is Precision.F16:
            fast = max(map(abs, floats)) <= FLOAT16_MAX
    except (TypeError, OverflowError):
        fast = False
    if not fast:
        floats = _slowly(values, dimensions, operation, precision)
    if distance is Distance.COSINE:
        norm = math.sqrt(sum(map(mul, floats, floats)))
        if norm == 0.0:
            raise VectorError(
                "a zero vector has no direction for cosine distance",
                operation=operation,
                dimensions=dimensions,
            )
        return array("f", map(mul, floats, repeat(1.0 / norm, dimensions)))
    return floats


_PLAIN = frozenset({float, int})


def _check_numpy(
    value: Any,
    dimensions: int,
    distance: Distance,
    operation: VectorOperation,
    precision: Precision,
) -> Any:
    """A 1-D float32 numpy vector checked in numpy, or None to take the list path."""
    np = sys.modules["numpy"]  # loaded: the caller passed or found a numpy array
    if value.ndim != 1:
        raise VectorError(
            f"a vector must be one-dimensional, not an array of shape {value.shape}",
            operation=operation,
            dimensions=dimensions,
        )
    if value.dtype.kind not in "fiu" or value.shape[0] != dimensions:
        return None
    limit = _limit(precision)
    if value.dtype != np.float32:
        # One comparison catches NaN, inf and values beyond float32 before the cast.
        if not float(np.abs(value).max(initial=0.0)) <= limit:
            return None
        value = value.astype(np.float32)
    # The caller's float32 array may be returned as is: the library never writes to it.
    # A NaN or inf anywhere makes the squared norm non-finite: one dot product checks
    # every component. It runs in float64, where squares of float32 values cannot
    # overflow, so no ``np.errstate`` is needed (it cost 1.5 us of every search); a
    # norm beyond the float32 range takes the slow path, which normalises in float64.
    wide = value.astype(np.float64)
    squared = float(wide.dot(wide))
    if not squared <= FLOAT32_MAX:
        return None
    if precision is Precision.F16 and float(np.abs(value).max()) > limit:
        return None
    if distance is Distance.COSINE:
        if squared == 0.0:
            return None
        return value * np.float32(1.0 / math.sqrt(squared))
    return value


def _slowly(
    values: Sequence[Any], dimensions: int, operation: VectorOperation, precision: Precision
) -> array[float]:
    """Check each component (numpy scalars and Fractions are numbers; bools are not).

    Raises the error for the first bad component.
    """
    limit = _limit(precision)
    out = array("f")
    for i, x in enumerate(values):
        if isinstance(x, bool) or type(x).__name__ == "bool_" or not isinstance(x, numbers.Real):
            raise VectorError(
                f"component {i} is {type(x).__name__}, not a number",
                operation=operation,
                dimensions=dimensions,
            )
        try:
            f = float(x)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f) or abs(f) > limit:
            what = "not finite" if not math.isfinite(f) else f"beyond the {precision.value} range"
            raise VectorError(
                f"component {i} is {what} ({x!r})", operation=operation, dimensions=dimensions
            )
        out.append(f)
    return out


def check_matrix(
    value: object,
    dimensions: int,
    distance: Distance,
    operation: VectorOperation,
    precision: Precision = Precision.F32,
) -> tuple[Any, list[VectorError | None]]:
    """Rows of a 2-D array-like: the checked rows and, per row, its error or None.

    With numpy input the checks run in numpy and the rows stay one float32 array
    (bad rows zeroed); otherwise rows go through ``check_vector`` one by one.
    """
    if not is_numpy(value):
        rows: list[Sequence[float] | None] = []
        errors: list[VectorError | None] = []
        for row in value:  # type: ignore[attr-defined]
            try:
                rows.append(check_vector(row, dimensions, distance, operation, precision))
                errors.append(None)
            except VectorError as exc:
                rows.append(None)
                errors.append(exc)
        return rows, errors
    import numpy as np

    matrix = np.asarray(value)
    if matrix.ndim != 2 or matrix.shape[1] != dimensions:
        got = matrix.shape[-1] if matrix.ndim else 0
        raise VectorError(
            f"dimension mismatch: expected rows of {dimensions}, got shape {matrix.shape}",
            operation=operation,
            dimensions=int(got),
        )
    if matrix.dtype.kind not in "fiu":
        raise VectorError(
            f"vectors must be numbers, not {matrix.dtype}",
            operation=operation,
            dimensions=dimensions,
        )
    with np.errstate(over="ignore"):  # beyond float32 becomes inf, caught just below
        block = matrix.astype(np.float32)
    bad = ~np.isfinite(block).all(axis=1)
    if precision is Precision.F16:
        bad |= (np.abs(block) > FLOAT16_MAX).any(axis=1)
    if distance is Distance.COSINE:
        norms = np.linalg.norm(block.astype(np.float64), axis=1)
        zero = (norms == 0) & ~bad
        safe = np.where((norms == 0) | bad, 1.0, norms)
        block = (block / safe[:, None]).astype(np.float32)
    else:
        zero = np.zeros(len(block), bool)
    block[bad | zero] = 0.0
    errors = [None] * len(block)
    for i in np.flatnonzero(bad).tolist():
        errors[i] = VectorError(
            "a component is not finite or out of range", operation=operation, dimensions=dimensions
        )
    for i in np.flatnonzero(zero).tolist():
        errors[i] = VectorError(
            "a zero vector has no direction for cosine distance",
            operation=operation,
            dimensions=dimensions,
        )
    return block, errors
