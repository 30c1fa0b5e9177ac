"""Watches: events serialized when they happen, resume from a resourceVersion, 410 Expired,
bookmarks, selectors and Table rows (k8s.io/apiserver/pkg/storage/cacher)."""

from __future__ import annotations

import pytest

from tests.rest.helpers import TABLE, client_with, lines

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def client():
    return client_with(until=5)


def _label(client, name: str, value: str) -> None:
    response = client.request(
        "PATCH",
        f"{PODS}/{name}",
        {"metadata": {"labels": {"mark": value}}},
        content_type="application/merge-patch+json",
    )
    assert response.status == 200


def test_watch_without_resource_version_starts_with_the_current_objects_as_added(client):
    response = client.get(PODS, query={"watch": "true"})
    assert response.status == 200 and response.watch is not None
    events = lines(response)
    assert {e["type"] for e in events} == {"ADDED"}
    assert len(events) == 3
    _label(client, "two", "x")
    events = lines(response)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("MODIFIED", "two")]
    assert events[0]["object"]["metadata"]["labels"]["mark"] == "x"


def test_go_parse_bool_spellings_of_watch(client):
    # Some clients send watch=True or watch=1 (strconv.ParseBool).
    for value in ("True", "1", "t"):
        assert client.get(PODS, query={"watch": value}).watch is not None
    assert client.get(PODS, query={"watch": "yes"}).watch is None


def test_each_event_is_the_object_as_it_was_when_it_changed(client):
    # The engine mutates stored objects in place: an event must not show a later state.
    rv = client.get(PODS).json()["metadata"]["resourceVersion"]
    response = client.get(PODS, query={"watch": "1", "resourceVersion": rv})
    _label(client, "two", "first")
    _label(client, "two", "second")
    marks = [e["object"]["metadata"]["labels"]["mark"] for e in lines(response)]
    assert marks == ["first", "second"]


def test_watch_resumes_after_the_resource_version_given(client):
    rv = client.get(PODS).json()["metadata"]["resourceVersion"]
    _label(client, "two", "missed-by-nobody")
    response = client.get(PODS, query={"watch": "1", "resourceVersion": rv})
    events = lines(response)
    assert next(
        (e["type"], e["object"]["metadata"]["labels"].get("mark"))
        for e in events
        if e["object"]["metadata"]["name"] == "two"
    ) == ("MODIFIED", "missed-by-nobody")
    assert all(int(e["object"]["metadata"]["resourceVersion"]) > int(rv) for e in events)


def test_a_version_older_than_the_history_kept_is_410_expired(client):
    # watch_cache.go getAllEventsSinceLocked: "too old resource version" -> 410 Gone,
    # sent as an ERROR event; clients relist.
    client.facade.hub.capacity = 2
    rv = client.get(PODS).json()["metadata"]["resourceVersion"]
    for mark in ("a", "b", "c", "d"):
        _label(client, "two", mark)
    response = client.get(PODS, query={"watch": "1", "resourceVersion": rv})
    events = lines(response)
    assert len(events) == 1
    assert events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["code"], status["reason"]) == (410, "Expired")
    assert status["message"].startswith(f"too old resource version: {rv} (")
    assert response.watch.closed


def test_bookmarks_only_when_allowed(client):
    rv = client.get(PODS).json()["metadata"]["resourceVersion"]
    allowed = client.get(
        PODS, query={"watch": "1", "allowWatchBookmarks": "true", "resourceVersion": rv}
    )
    allowed.watch.take()
    allowed.watch.bookmark()
    [event] = lines(allowed)
    assert event["type"] == "BOOKMARK"
    assert event["object"]["metadata"] == {
        "resourceVersion": str(client.cluster.store.resource_version)
    }
    plain = client.get(PODS, query={"watch": "1"})
    plain.watch.take()
    plain.watch.bookmark()
    assert plain.watch.take() == []


def test_an_object_that_stops_matching_the_selector_leaves_as_deleted(client):
    # cacher.go: an event whose old object matched and new one does not is a DELETED.
    _label(client, "two", "in")
    response = client.get(PODS, query={"watch": "1", "labelSelector": "mark=in"})
    assert [e["object"]["metadata"]["name"] for e in lines(response)] == ["two"]
    _label(client, "two", "out")
    _label(client, "two", "in")
    assert [e["type"] for e in lines(response)] == ["DELETED", "ADDED"]


def test_field_selector_watch_like_rollout_status(client):
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    listed = client.get(
        deployments, query={"fieldSelector": "metadata.name=web", "resourceVersion": "0"}
    ).json()
    response = client.get(
        deployments,
        query={
            "watch": "true",
            "fieldSelector": "metadata.name=web",
            "resourceVersion": listed["metadata"]["resourceVersion"],
            "allowWatchBookmarks": "true",
            "timeoutSeconds": "300",
        },
    )
    assert response.timeout == 300
    client.request(
        "PATCH",
        f"{deployments}/web/scale",
        {"spec": {"replicas": 3}},
        content_type="application/merge-patch+json",
    )
    client.cluster.run_until(client.cluster.now + 2)
    events = lines(response)
    assert events and {e["object"]["metadata"]["name"] for e in events} == {"web"}
    assert events[0]["object"]["spec"]["replicas"] == 3


def test_table_watch_sends_one_row_tables(client):
    response = client.get(PODS, query={"watch": "1"}, accept=TABLE)
    events = lines(response)
    assert events[0]["object"]["kind"] == "Table"
    assert len(events[0]["object"]["rows"]) == 1
    _label(client, "two", "t")
    [event] = lines(response)
    assert event["object"]["rows"][0]["cells"][0] == "two"
    assert event["object"]["rows"][0]["object"]["metadata"]["labels"]["mark"] == "t"


def test_closed_streams_get_no_more_events(client):
    response = client.get(PODS, query={"watch": "1"})
    response.watch.take()
    response.watch.close()
    _label(client, "two", "z")
    assert response.watch.take() == []
    assert client.facade.hub.watchers() == 0


def test_watch_of_a_legacy_group_version_answers_in_it(client):
    response = client.get(
        "/apis/extensions/v1beta1/namespaces/default/deployments", query={"watch": "1"}
    )
    assert {e["object"]["apiVersion"] for e in lines(response)} == {"extensions/v1beta1"}


def test_history_of_a_kind_starts_when_it_is_first_asked_for(client):
    # Nobody listed or watched ConfigMaps: their changes are not serialized, and a watch
    # from a version before the first request is 410 (the client relists).
    hub = client.facade.hub
    before = client.cluster.store.resource_version
    client.request("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "early"}})
    assert hub.since("ConfigMap", before) is None
    response = client.get(
        "/api/v1/namespaces/default/configmaps",
        query={"watch": "1", "resourceVersion": str(before)},
    )
    assert lines(response)[0]["object"]["code"] == 410
    listed = client.get("/api/v1/namespaces/default/configmaps").json()["metadata"][
        "resourceVersion"
    ]
    client.request("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "late"}})
    response = client.get(
        "/api/v1/namespaces/default/configmaps", query={"watch": "1", "resourceVersion": listed}
    )
    assert [e["object"]["metadata"]["name"] for e in lines(response)] == ["late"]


def test_a_watcher_that_does_not_keep_up_is_closed(client):
    # cacher.go closes an unresponsive watcher rather than buffer without bound; its client
    # watches again from the last resourceVersion it received.
    response = client.get(PODS, query={"watch": "1"})
    stream = response.watch
    stream.take()
    stream.max_queued_bytes = 1
    _label(client, "two", "x")
    assert stream.closed
    assert stream.take() == []
    assert client.facade.hub.watchers() == 0


def test_watchers_of_a_kind_share_one_encoded_line_per_change(client):
    # The watch cache serializes an event once for all its watchers (cacher.go's
    # cachingObject); only a watcher that needs another shape (selector, Table, another
    # apiVersion) encodes its own.
    everywhere = client.get("/api/v1/pods", query={"watch": "1"}).watch
    here = client.get(PODS, query={"watch": "1"}).watch
    elsewhere = client.get("/api/v1/namespaces/kube-system/pods", query={"watch": "1"}).watch
    for stream in (everywhere, here, elsewhere):
        stream.take()
    _label(client, "two", "shared")
    [mine], [theirs] = everywhere.take(), here.take()
    assert mine is theirs
    assert elsewhere.take() == []
    assert b'"mark":"shared"' in mine
    assert everywhere.last_rv == here.last_rv == int(client.get(PODS).json()["metadata"]["resourceVersion"])
