"""Signed conversation tokens: issued, verified, refused for every reason with a message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parley.signing import TOKEN_LIFETIME_SECONDS, ConversationTokens, TokenError
from tests.virtual_clock import VirtualClock


def test_token_round_trip_and_expiry() -> None:
    clock = VirtualClock()
    tokens = ConversationTokens(b"k" * 32, clock)
    token = tokens.issue("agent_a", "conv_1")
    claims = tokens.verify(token, "agent_a")
    assert (claims.agent_id, claims.conversation_id) == ("agent_a", "conv_1")
    clock.jump(TOKEN_LIFETIME_SECONDS + 1)
    with pytest.raises(TokenError, match="expired"):
        tokens.verify(token, "agent_a")


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t + "x", "signature"),
        (lambda t: "nodot", "malformed"),
        (lambda t: "e30." + t.split(".")[1], "signature"),
    ],
)
def test_tampered_tokens_are_refused(mangle: Callable[[str], str], message: str) -> None:
    tokens = ConversationTokens(b"k" * 32, VirtualClock())
    token = tokens.issue("agent_a")
    with pytest.raises(TokenError, match=message):
        tokens.verify(mangle(token), "agent_a")


def test_other_servers_tokens_are_refused() -> None:
    token = ConversationTokens(b"a" * 32, VirtualClock()).issue("agent_a")
    with pytest.raises(TokenError, match="signature"):
        ConversationTokens(b"b" * 32, VirtualClock()).verify(token, "agent_a")
