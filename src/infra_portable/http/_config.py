"""HttpClientConfig: timeouts, retries, redirects and limits (seed 002 §2.6), from code or Config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra_portable.errors import ConfigError, check_int, check_number

__all__ = ["DEFAULT_RETRY_STATUSES", "HttpClientConfig"]

DEFAULT_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class HttpClientConfig:
    """How a client behaves over any transport.

    ``max_retries`` counts retries after the first attempt. A retry waits the
    server's ``Retry-After`` when it sent one (up to ``max_retry_after``; a longer
    ask is not waited for: the response or error is returned at once), otherwise
    exponential backoff from ``retry_delay`` with jitter. Every method is retried
    by default, as LLM API clients do (a 429 or 503 means the request was not
    processed); narrow it with ``retry_methods``.
    """

    timeout: float = 30.0
    max_retries: int = 2
    retry_delay: float = 0.5
    max_retry_delay: float = 30.0
    max_retry_after: float = 60.0
    retry_jitter: float = 0.5
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    retry_methods: frozenset[str] | None = None
    max_redirects: int = 10
    follow_redirects: bool = True
    max_response_bytes: int = 64 * 1024 * 1024
    user_agent: str = "infra-portable/0.1"
    base_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_number("timeout", self.timeout, strict=True)
        check_int("max_retries", self.max_retries)
        check_number("retry_delay", self.retry_delay)
        check_number("max_retry_delay", self.max_retry_delay)
        check_number("max_retry_after", self.max_retry_after, allow_infinity=True)
        check_number("retry_jitter", self.retry_jitter, maximum=1.0)
        check_int("max_redirects", self.max_redirects)
        check_int("max_response_bytes", self.max_response_bytes, minimum=1)

    @classmethod
    def from_config(cls, config: Any, prefix: str = "http") -> HttpClientConfig:
        """Read ``http.timeout_secs``, ``http.max_retries``, ``http.retry_delay_ms``,
        ``http.user_agent``, ``http.max_redirects``, ``http.max_response_bytes`` and
        ``http.base_url`` from a :class:`~infra_portable.config.Config` (or a mapping)."""

        def get(key: str, default: Any) -> Any:
            full = f"{prefix}.{key}"
            if hasattr(config, "get_or"):
                return config.get_or(full, default)
            node: Any = config
            for part in full.split("."):
                if not isinstance(node, Mapping) or part not in node:
                    return default
                node = node[part]
            return node

        def number(key: str, default: float, convert: Callable[[Any], Any]) -> Any:
            value = get(key, default)
            try:
                return convert(value)  # configuration files and env vars give strings
            except (TypeError, ValueError, OverflowError):
                raise ConfigError(
                    f"{prefix}.{key} must be {'an integer' if convert is int else 'a number'},"
                    f" not {value!r}",
                    key=f"{prefix}.{key}",
                ) from None

        defaults = cls()
        return cls(
            timeout=number("timeout_secs", defaults.timeout, float),
            max_retries=number("max_retries", defaults.max_retries, int),
            retry_delay=number("retry_delay_ms", defaults.retry_delay * 1000, float) / 1000,
            user_agent=str(get("user_agent", defaults.user_agent)),
            max_redirects=number("max_redirects", defaults.max_redirects, int),
            max_response_bytes=number("max_response_bytes", defaults.max_response_bytes, int),
            base_url=get("base_url", None),
        )
