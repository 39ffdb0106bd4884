"""Listing agents: cursor pages, search, sort order and the archived filter."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

NAMES = ["Zed", "alpha", "Bravo", "100% real", "under_score", "charlie"]


@pytest.fixture
def agent_ids(client: TestClient) -> dict[str, str]:
    ids = {}
    for name in NAMES:
        body: dict[str, Any] = {"conversation_config": {}, "name": name, "tags": [name.lower()]}
        if name == "charlie":
            body["platform_settings"] = {"archived": True}
        ids[name] = client.post("/v1/convai/agents/create", json=body).json()["agent_id"]
    return ids


def walk(client: TestClient, **params: Any) -> list[str]:
    """Every agent name, following next_cursor page by page."""
    names: list[str] = []
    cursor = None
    for _ in range(20):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/convai/agents", params=query).json()
        names += [agent["name"] for agent in page["agents"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return names
        cursor = page["next_cursor"]
    raise AssertionError("pagination did not end")


@pytest.mark.usefixtures("agent_ids")
def test_default_order_is_newest_first_across_pages(client: TestClient) -> None:
    assert walk(client, page_size=4) == list(reversed(NAMES))
    assert walk(client, page_size=1, sort_direction="asc") == NAMES


@pytest.mark.usefixtures("agent_ids")
def test_sort_by_name(client: TestClient) -> None:
    names = walk(client, page_size=2, sort_by="name", sort_direction="asc")
    assert names == sorted(NAMES)


@pytest.mark.usefixtures("agent_ids")
@pytest.mark.parametrize(
    ("search", "expected"),
    [("ALPHA", ["alpha"]), ("%", ["100% real"]), ("_", ["under_score"]), ("a", None)],
)
def test_search_is_a_case_insensitive_substring(
    client: TestClient, search: str, expected: list[str] | None
) -> None:
    names = walk(client, search=search)
    if expected is None:
        expected = [n for n in reversed(NAMES) if "a" in n.lower()]
    assert names == expected


@pytest.mark.usefixtures("agent_ids")
def test_archived_filter(client: TestClient) -> None:
    assert walk(client, archived=True) == ["charlie"]
    assert "charlie" not in walk(client, archived=False)


def test_list_items_carry_what_the_js_sdk_requires(
    client: TestClient, agent_ids: dict[str, str]
) -> None:
    item = client.get("/v1/convai/agents", params={"search": "Zed"}).json()["agents"][0]
    assert item["agent_id"] == agent_ids["Zed"]
    assert item["tags"] == ["zed"]
    assert item["voice_id"] == "cjVigY5qzO86Huf0OWal"
    assert item["created_at_unix_secs"] == item["updated_at_unix_secs"] > 0
    assert set(item["access_info"]) == {"is_creator", "creator_name", "creator_email", "role"}


@pytest.mark.usefixtures("agent_ids")
def test_cursor_from_another_sort_is_refused(client: TestClient) -> None:
    cursor = client.get("/v1/convai/agents", params={"page_size": 1}).json()["next_cursor"]
    response = client.get("/v1/convai/agents", params={"cursor": cursor, "sort_by": "name"})
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "invalid_cursor"
