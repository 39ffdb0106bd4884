"""Signed conversation tokens: what a signed URL carries instead of an API key.

A token is ``<payload>.<signature>``: base64url JSON ``{agent_id, exp, cid?}`` and its
HMAC-SHA256 under the server's signing key. Tokens that name a conversation id are
single-use: the conversation id can only be started once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from parley.clock import Clock

TOKEN_LIFETIME_SECONDS = 15 * 60


class TokenError(ValueError):
    """The token is malformed, forged, expired or for another agent; the message says which."""


@dataclass(frozen=True)
class TokenClaims:
    agent_id: str
    expires_at: float
    conversation_id: str | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ConversationTokens:
    def __init__(self, key: bytes, clock: Clock) -> None:
        self._key = key
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, agent_id: str, conversation_id: str | None = None) -> str:
        claims: dict[str, object] = {
            "agent_id": agent_id,
            "exp": int(self._clock.now()) + TOKEN_LIFETIME_SECONDS,
        }
        if conversation_id:
            claims["cid"] = conversation_id
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str, agent_id: str) -> TokenClaims:
        payload, _, signature = token.partition(".")
        if not payload or not signature:
            raise TokenError("the conversation token is malformed")
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise TokenError("the conversation token's signature is invalid")
        try:
            claims = json.loads(_unb64(payload))
            claims_agent, expires = str(claims["agent_id"]), float(claims["exp"])
        except (binascii.Error, ValueError, KeyError, TypeError) as error:
            raise TokenError("the conversation token is malformed") from error
        if claims_agent != agent_id:
            raise TokenError("the conversation token was issued for another agent")
        if expires < self._clock.now():
            raise TokenError("the conversation token has expired; request a new signed URL")
        conversation_id = claims.get("cid")
        return TokenClaims(claims_agent, expires, str(conversation_id) if conversation_id else None)
