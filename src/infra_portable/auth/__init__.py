"""Layer 3: authentication and authorization (seed 002 §2.8), the same in every runtime.

* ``Authenticator`` (``async authenticate(credentials) -> Identity``):
  ``JwtAuthenticator`` (bearer JWTs through ``crypto.JwtVerifier``; static keys
  or a ``JwksProvider`` fetching and caching an issuer's JWK Set over
  ``infra_portable.http``), ``ApiKeyAuthenticator`` (``<prefix>_<id>_<secret>``
  keys stored as hashes in an ``ApiKeyStore``), ``AuthenticatorChain``.
* ``Authorizer`` (``async authorize(identity, resource, action) -> bool``):
  ``PolicyAuthorizer`` over a ``Policy`` of role- and attribute-based
  ``Rule``s, deny by default, deny wins, wildcard resources and actions;
  ``check``/``require`` raise ``AuthError(INSUFFICIENT_PERMISSIONS)``.
* ``OAuthClient`` / ``AsyncOAuthClient``: OAuth 2.0 client credentials,
  authorization code with PKCE, refresh; token caching with expiry skew.
* ``AuthMiddleware``: plain ASGI, answers 401/403 as RFC 9457 problem+json.
* ``Credentials`` (from headers), ``Identity``, ``Resource``.

Every failure is an ``InfraError``: ``AuthError`` with its ``auth_kind``
(MISSING_CREDENTIALS, INVALID_CREDENTIALS, INVALID_TOKEN, TOKEN_EXPIRED,
INSUFFICIENT_PERMISSIONS, RATE_LIMITED), ``ValidationError`` for bad
configuration, ``HttpError``/``ExternalError`` when a server the library
depends on (a JWKS, a token endpoint) fails.
"""

from __future__ import annotations

from infra_portable.auth._apikey import ApiKeyAuthenticator, IssuedApiKey
from infra_portable.auth._apikey_format import ParsedApiKey, generate_api_key, parse_api_key
from infra_portable.auth._apikey_store import ApiKeyRecord, ApiKeyStore, InMemoryApiKeyStore
from infra_portable.auth._authorizer import PolicyAuthorizer
from infra_portable.auth._base import (
    Action,
    Authenticator,
    AuthMethod,
    Authorizer,
    Identity,
    Resource,
)
from infra_portable.auth._chain import AuthenticatorChain
from infra_portable.auth._credentials import CredentialKind, Credentials, credentials_from_headers
from infra_portable.auth._jwks import JwksProvider
from infra_portable.auth._jwt import JwtAuthenticator
from infra_portable.auth._match import wildcard_match
from infra_portable.auth._middleware import AuthMiddleware, default_resource_for
from infra_portable.auth._oauth import AsyncOAuthClient, OAuthClient
from infra_portable.auth._oauth_base import AuthorizationRequest
from infra_portable.auth._oauth_token import OAuthError, OAuthToken
from infra_portable.auth._pkce import Pkce, pkce_challenge
from infra_portable.auth._policy import Decision, Policy
from infra_portable.auth._rules import Effect, Rule, allow, deny

__all__ = [
    # the interfaces and their values
    "Authenticator",
    "Authorizer",
    "Credentials",
    "CredentialKind",
    "credentials_from_headers",
    "Identity",
    "AuthMethod",
    "Resource",
    "Action",
    # authenticators
    "JwtAuthenticator",
    "JwksProvider",
    "ApiKeyAuthenticator",
    "IssuedApiKey",
    "ApiKeyRecord",
    "ApiKeyStore",
    "InMemoryApiKeyStore",
    "ParsedApiKey",
    "generate_api_key",
    "parse_api_key",
    "AuthenticatorChain",
    # authorization
    "PolicyAuthorizer",
    "Policy",
    "Rule",
    "Effect",
    "Decision",
    "allow",
    "deny",
    "wildcard_match",
    # OAuth 2.0 client
    "OAuthClient",
    "AsyncOAuthClient",
    "AuthorizationRequest",
    "OAuthToken",
    "OAuthError",
    "Pkce",
    "pkce_challenge",
    # ASGI
    "AuthMiddleware",
    "default_resource_for",
]
