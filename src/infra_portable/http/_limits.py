"""Reading a body within the response size limit, shared by the transports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from infra_portable.errors import HttpError

__all__ = ["check_declared_length", "limited", "limited_async", "too_large"]


def too_large(limit: int, status: int, url: str) -> HttpError:
    return HttpError(f"response body larger than the {limit}-byte limit", status=status, url=url)


def check_declared_length(value: str | None, limit: int, status: int, url: str) -> None:
    if value is not None and value.strip().isdigit() and int(value) > limit:
        raise too_large(limit, status, url)


def limited(chunks: Iterator[bytes], limit: int, status: int, url: str) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise too_large(limit, status, url)
        if chunk:
            yield chunk


async def limited_async(
    chunks: AsyncIterator[bytes], limit: int, status: int, url: str
) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise too_large(limit, status, url)
        if chunk:
            yield chunk
