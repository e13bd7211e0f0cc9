"""URL checks: absolute http(s) with a host, no whitespace; IRIs become ASCII URLs."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from infra_portable.errors import HttpError

__all__ = ["check_url"]


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; otherwise an HttpError."""
    if not isinstance(url, str):
        raise HttpError(f"URL must be a string, not {type(url).__name__}")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise HttpError(f"invalid URL (bad port or host): {exc}", url=url) from None
    if parts.scheme not in ("http", "https"):
        raise HttpError("invalid URL: the scheme must be http or https", url=url)
    if not parts.hostname:
        raise HttpError("invalid URL: no host", url=url)
    if any(c in url for c in " \r\n\t\0"):
        raise HttpError("invalid URL: whitespace or control characters", url=url)
    if not url.isascii():
        url = _ascii_url(url, parts)
    return url


_URL_SAFE = "/%:@!$&'()*+,;=?~-._[]"


def _ascii_url(url: str, parts: SplitResult) -> str:
    """An IRI as a URL every transport sends the same way: IDNA host, percent-encoded rest."""
    from urllib.parse import quote, urlunsplit

    host = parts.hostname or ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise HttpError(
            "invalid URL: the host is not a valid internationalised name", url=url
        ) from None
    netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe="")
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe="")
        netloc = f"{userinfo}@{netloc}"
    path, query, fragment = (
        quote(p, safe=_URL_SAFE) for p in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))
