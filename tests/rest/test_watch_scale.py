"""Serving at scale: list pages from a sorted key index, a watch's initial state encoded a
chunk at a time, watchers sharing one feed of lines, and the JSON encoder (no sockets)."""

from __future__ import annotations

import json

import pytest

from engine.rest import encoding, feed, watch
from tests.rest.helpers import client_with, lines

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
def client():
    return client_with(until=5)


def _create(client, name: str, namespace: str = "default", **data: str) -> None:
    response = client.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": name}, "data": data},
    )
    assert response.status == 201, response.body


def _update(client, name: str, value: str) -> None:
    response = client.request(
        "PATCH",
        f"{CONFIGMAPS}/{name}",
        {"data": {"v": value}},
        content_type="application/merge-patch+json",
    )
    assert response.status == 200, response.body


def _delete(client, name: str) -> None:
    assert client.request("DELETE", f"{CONFIGMAPS}/{name}").status == 200


def _names(client, query: dict) -> list[str]:
    body = client.get(CONFIGMAPS, query=query).json()
    return [o["metadata"]["name"] for o in body["items"]]


def _page_through(client, limit: int, between=None) -> list[str]:
    names: list[str] = []
    token = ""
    while True:
        query = {"limit": str(limit)}
        if token:
            query["continue"] = token
        body = client.get(CONFIGMAPS, query=query).json()
        names += [o["metadata"]["name"] for o in body["items"]]
        token = body["metadata"].get("continue", "")
        if not token:
            return names
        if between is not None:
            between()


# -- lists ---------------------------------------------------------------------------------


def test_pages_follow_creations_and_deletions_made_between_them(client):
    # A continue token resumes after the last key returned (etcd3/store.go GetList: the
    # next range starts at lastKey + "\x00"): a key created past it is listed, one deleted
    # before being reached is not.
    for index in range(10):
        _create(client, f"cm-{index:02d}")
    changes = iter(
        [
            lambda: (_create(client, "cm-99"), _delete(client, "cm-05")),
            lambda: _create(client, "cm-00a"),  # before the resume point: not in this listing
            lambda: None,
        ]
    )
    names = _page_through(client, 3, lambda: next(changes, lambda: None)())
    assert names == sorted(names)
    mine = [n for n in names if n.startswith("cm-")]
    assert "cm-99" in mine and "cm-05" not in mine and "cm-00a" not in mine
    assert len(mine) == len(set(mine)) == 10
    # A fresh listing sees everything as it is now.
    assert [n for n in _names(client, {}) if n.startswith("cm-")] == sorted(
        [f"cm-{i:02d}" for i in range(10) if i != 5] + ["cm-00a", "cm-99"]
    )


def test_a_namespace_lists_only_its_own_keys_in_order(client):
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": "de"}})
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": "defaults"}})
    for namespace in ("de", "defaults", "default"):
        _create(client, f"in-{namespace}", namespace)
    assert [n for n in _names(client, {}) if n.startswith("in-")] == ["in-default"]


def test_remaining_item_count_is_unset_when_a_selector_filters_the_list(client):
    # k8s.io/apiserver/pkg/storage/etcd3/store.go GetList: "Instead of returning inaccurate
    # count for non-empty selectors, we return nil" (ListMeta.remainingItemCount).
    for index in range(5):
        _create(client, f"sel-{index}")
    plain = client.get(CONFIGMAPS, query={"limit": "2"}).json()["metadata"]
    assert plain["remainingItemCount"] == len(client.cluster.store.list("ConfigMap", "default")) - 2
    selected = client.get(
        CONFIGMAPS, query={"limit": "2", "fieldSelector": "metadata.namespace=default"}
    ).json()["metadata"]
    assert selected["continue"]
    assert "remainingItemCount" not in selected


def test_a_selected_list_ends_without_a_token_when_nothing_more_matches(client):
    for index in range(3):
        _create(client, f"last-{index}")
    body = client.get(
        CONFIGMAPS, query={"limit": "1", "fieldSelector": "metadata.name=last-2"}
    ).json()
    assert [o["metadata"]["name"] for o in body["items"]] == ["last-2"]
    assert "continue" not in body["metadata"]


# -- a watch's initial state ---------------------------------------------------------------


def _initial_watch(client, monkeypatch, count: int):
    for index in range(count):
        _create(client, f"w-{index:03d}", v="x" * 200)
    # A few hundred bytes a chunk: each take encodes one or two objects.
    monkeypatch.setattr(watch, "INITIAL_CHUNK_BYTES", 300)
    response = client.get(CONFIGMAPS, query={"watch": "1"})
    assert response.watch is not None
    return response


def _events(response) -> list[tuple[str, str, dict]]:
    return [(e["type"], e["object"]["metadata"]["name"], e["object"]) for e in lines(response)]


def test_a_watch_without_resource_version_encodes_its_initial_state_a_chunk_at_a_time(
    client, monkeypatch
):
    response = _initial_watch(client, monkeypatch, 20)
    first = _events(response)
    assert 1 <= len(first) < 5
    assert response.watch.pending()
    events = first
    while response.watch.pending():
        events += _events(response)
    names = [name for _, name, _ in events if name.startswith("w-")]
    assert names == sorted(names) and len(names) == 20
    assert {kind for kind, _, _ in events} == {"ADDED"}


def test_an_object_changed_before_its_initial_event_is_sent_once_as_it_is_then(
    client, monkeypatch
):
    response = _initial_watch(client, monkeypatch, 10)
    lines(response)
    _update(client, "w-008", "changed")
    events = []
    while response.watch.pending():
        events += _events(response)
    mine = [(kind, obj["data"]["v"]) for kind, name, obj in events if name == "w-008"]
    assert mine == [("ADDED", "changed")]
    # A later change is sent as it happens.
    _update(client, "w-008", "again")
    assert [(k, n) for k, n, _ in _events(response)] == [("MODIFIED", "w-008")]


def test_an_object_deleted_before_its_initial_event_is_never_sent(client, monkeypatch):
    response = _initial_watch(client, monkeypatch, 10)
    lines(response)
    _delete(client, "w-007")
    events = []
    while response.watch.pending():
        events += _events(response)
    assert "w-007" not in {name for _, name, _ in events}


def test_changes_during_the_initial_events_reach_the_watch_in_order(client, monkeypatch):
    response = _initial_watch(client, monkeypatch, 10)
    sent: list[str] = []
    while not any(n.startswith("w-") for n in sent):
        sent += [name for _, name, _ in _events(response)]
    done = sent[-1]
    _update(client, done, "after")  # its ADDED is sent: the change follows it
    _create(client, "w-new")
    events = []
    while response.watch.pending():
        events += _events(response)
    assert ("MODIFIED", done) in [(k, n) for k, n, _ in events]
    assert [k for k, n, _ in events if n == "w-new"] == ["ADDED"]
    # Once the initial state is out the watch reads the shared feed.
    assert response.watch.feed is not None
    _update(client, "w-new", "live")
    assert [(k, n) for k, n, _ in _events(response)] == [("MODIFIED", "w-new")]


def test_a_selector_watch_sends_the_initial_objects_that_match_when_their_turn_comes(
    client, monkeypatch
):
    for index in range(6):
        _create(client, f"s-{index}")
    monkeypatch.setattr(watch, "INITIAL_CHUNK_BYTES", 1)
    response = client.get(
        CONFIGMAPS, query={"watch": "1", "fieldSelector": "metadata.name=s-4"}
    )
    events = []
    while response.watch.pending():
        events += _events(response)
    assert [(k, n) for k, n, _ in events] == [("ADDED", "s-4")]


# -- the shared feed -----------------------------------------------------------------------


def test_watchers_reading_at_different_paces_each_get_every_event_in_order(
    client, monkeypatch
):
    monkeypatch.setattr(feed, "FEED_TRIM_LINES", 4)
    _create(client, "pace")
    rv = client.get(CONFIGMAPS).json()["metadata"]["resourceVersion"]
    fast = client.get(CONFIGMAPS, query={"watch": "1", "resourceVersion": rv}).watch
    slow = client.get(CONFIGMAPS, query={"watch": "1", "resourceVersion": rv}).watch
    assert fast.feed is slow.feed is not None
    got: dict[str, list[str]] = {"fast": [], "slow": []}
    for value in range(40):
        _update(client, "pace", str(value))
        got["fast"] += [json.loads(line)["object"]["data"]["v"] for line in fast.take()]
        if value % 13 == 12:
            got["slow"] += [json.loads(line)["object"]["data"]["v"] for line in slow.take()]
    got["slow"] += [json.loads(line)["object"]["data"]["v"] for line in slow.take()]
    assert got["fast"] == got["slow"] == [str(v) for v in range(40)]
    # What both have read is dropped: the feed holds no more than the trim threshold.
    assert len(fast.feed.lines) <= 2 * feed.FEED_TRIM_LINES


def test_a_watcher_far_behind_is_closed_and_the_others_go_on(client):
    rv = client.get(CONFIGMAPS).json()["metadata"]["resourceVersion"]
    _create(client, "lag")
    behind = client.get(CONFIGMAPS, query={"watch": "1", "resourceVersion": rv}).watch
    current = client.get(CONFIGMAPS, query={"watch": "1", "resourceVersion": rv}).watch
    behind.take(), current.take()
    behind.max_queued_bytes = 2000
    for value in range(10):
        _update(client, "lag", "x" * 100 + str(value))
        assert len(current.take()) == 1
    assert behind.closed and not current.closed
    assert behind.take() == []
    assert client.facade.hub.watchers() == 1


def test_a_bookmark_follows_the_feed_lines_not_read_yet(client):
    rv = client.get(CONFIGMAPS).json()["metadata"]["resourceVersion"]
    stream = client.get(
        CONFIGMAPS, query={"watch": "1", "resourceVersion": rv, "allowWatchBookmarks": "1"}
    ).watch
    _create(client, "before-bookmark")
    stream.bookmark()
    events = [json.loads(line) for line in stream.take()]
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    assert int(events[1]["object"]["metadata"]["resourceVersion"]) >= int(
        events[0]["object"]["metadata"]["resourceVersion"]
    )


def test_a_closed_watch_still_sends_what_it_had_not_read():
    client = client_with(until=1)
    rv = client.get(CONFIGMAPS).json()["metadata"]["resourceVersion"]
    stream = client.get(CONFIGMAPS, query={"watch": "1", "resourceVersion": rv}).watch
    _create(client, "last-words")
    stream.close()
    assert [json.loads(line)["object"]["metadata"]["name"] for line in stream.take()] == [
        "last-words"
    ]


# -- encoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, True, None, "x"], "b": {"c": -0.5}},
        {"name": "caf\u00e9", "emoji": "\U0001f600"},  # not ASCII: the standard library's escapes
        {"big": 2**70},  # past 64 bits: orjson refuses, the standard library writes it
        {1: "non-string key"},
    ],
)
def test_encoded_json_is_the_standard_librarys_compact_form(value):
    assert encoding.dumps(value) == json.dumps(value, separators=(",", ":")).encode()
