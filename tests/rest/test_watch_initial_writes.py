"""Writes made while a watch's initial state streams: none lost, none sent twice, and all of
them after the initial events, in resourceVersion order (no sockets; the simulated clock is
ticked between the adapter's takes, so the engine's own writes land mid-stream too).

The API server sends a watch from resourceVersion 0 (or none) the state as synthetic ADDED
events first, then every change from its input (k8s.io/apiserver/pkg/storage/cacher/
cache_watcher.go `processInterval`: the initEvents loop, then `c.input`). podtui encodes the
initial objects a chunk at a time as the adapter takes them; an object changed before its
turn is sent once, as it is then, and its change is not sent again; one deleted before its
turn is never sent.
"""

from __future__ import annotations

import json

from engine.rest import watch
from engine.rest.encoding import dumps
from engine.store import Change
from tests.rest.helpers import client_with, lines

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 24
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}
"""

PODS = "/api/v1/namespaces/default/pods"


def _key(obj: dict) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _rv(obj: dict) -> int:
    return int(obj["metadata"]["resourceVersion"])


def _patch(client, path: str, body: dict, status: int = 200) -> None:
    response = client.request("PATCH", path, body, content_type="application/merge-patch+json")
    assert response.status == status, response.body


def test_no_write_made_while_the_initial_state_streams_is_lost_or_sent_twice(monkeypatch):
    client = client_with(DEPLOYMENT, until=30)
    cluster = client.cluster
    # Every Pod change the store makes from the watch's start on, as (type, key, rv).
    made: list[tuple[str, tuple[str, str], int]] = []

    def record(change: Change) -> None:
        made.append((change.type, _key(change.obj), _rv(change.obj)))

    cluster.store.watch(record, {"Pod"})
    # About two pods a take: the initial state takes a dozen takes or more.
    monkeypatch.setattr(watch, "INITIAL_CHUNK_BYTES", 2 * len(dumps(cluster.store.list("Pod")[0])))
    response = client.get("/api/v1/pods", query={"watch": "true"})
    assert response.watch is not None
    at_start = {_key(p): _rv(p) for p in cluster.store.list("Pod")}
    received: list[dict] = lines(response)
    sent = {_key(e["object"]) for e in received}
    unsent = sorted(set(at_start) - sent)
    assert len(unsent) > 10, "the first take sent nearly everything: chunks too big"

    # Mid-stream: one pod not sent yet is deleted, one changed; one already sent is changed;
    # the Deployment grows (new pods, created, scheduled and started as the clock ticks).
    deleted, changed = unsent[-1], unsent[-2]
    already = next(iter(sorted(sent)))
    assert client.request("DELETE", f"{PODS}/{deleted[1]}").status == 200
    _patch(client, f"{PODS}/{changed[1]}", {"metadata": {"labels": {"mark": "before-turn"}}})
    _patch(client, f"{PODS}/{already[1]}", {"metadata": {"labels": {"mark": "after-turn"}}})
    _patch(client, "/apis/apps/v1/namespaces/default/deployments/web", {"spec": {"replicas": 30}})
    takes = 1
    while response.watch.pending():
        cluster.tick()
        received += lines(response)
        takes += 1
    # Then a while longer, live: the changes now come from the shared feed.
    for _ in range(20):
        cluster.tick()
        received += lines(response)
    assert takes > 10 and response.watch.feed is not None

    # The store made writes during the stream, of every sort (not a vacuous check).
    types = {t for t, key, _ in made}
    assert {"ADDED", "MODIFIED", "DELETED"} <= types

    # A client's store (a reflector's), fed every event: an ADDED for an object it has, or a
    # MODIFIED or DELETED for one it does not, is a duplicate or a loss.
    state: dict[tuple[str, str], dict] = {}
    for event in received:
        obj, key = event["object"], _key(event["object"])
        if event["type"] == "ADDED":
            assert key not in state, f"{key} added twice"
            state[key] = obj
        elif event["type"] == "MODIFIED":
            assert key in state and _rv(state[key]) < _rv(obj), f"{key} modified out of turn"
            state[key] = obj
        else:
            assert event["type"] == "DELETED" and key in state, f"{key} deleted unseen"
            del state[key]
    # It ends with exactly what the server has, each object as stored now.
    assert state == {_key(p): json.loads(dumps(p)) for p in cluster.store.list("Pod")}

    # Per object: one ADDED (the state at its turn, or its creation), then every change the
    # store made after that resourceVersion, each once, in order.
    wire: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for event in received:
        wire.setdefault(_key(event["object"]), []).append((event["type"], _rv(event["object"])))
    for key in set(at_start) | {k for _, k, _ in made}:
        events = wire.get(key, [])
        if not events:
            # Never seen: it was gone before its turn (deleted by us or by the engine).
            assert key not in at_start or any(t == "DELETED" and k == key for t, k, _ in made)
            assert cluster.store.get("Pod", *key) is None
            continue
        (first, first_rv), later = events[0], events[1:]
        assert first == "ADDED"
        assert later == [(t, rv) for t, k, rv in made if k == key and rv > first_rv], key
    assert deleted not in wire
    assert wire[changed][0][0] == "ADDED"
    assert wire[changed][0][1] > at_start[changed]  # sent as it was at its turn
    assert ("MODIFIED", max(rv for t, k, rv in made if k == already)) in wire[already]

    # Every change made after the watch started is sent after every initial event, in
    # resourceVersion order (an initial event is an ADDED the store did not make as such).
    made_as_sent = {(t, rv) for t, _, rv in made}
    kinds = [(e["type"], _rv(e["object"])) in made_as_sent for e in received]
    first_change = kinds.index(True)
    assert all(kinds[first_change:])
    change_rvs = [_rv(e["object"]) for e in received[first_change:]]
    assert change_rvs == sorted(change_rvs) and len(set(change_rvs)) == len(change_rvs)


class _CountedKey(tuple):
    """A key that counts how often it is hashed (a set or dict of keys hashes each one)."""

    hashes = 0

    def __hash__(self) -> int:
        _CountedKey.hashes += 1
        return tuple.__hash__(self)


def test_a_watch_start_does_no_work_per_key_of_the_initial_state(monkeypatch):
    # The watch's first step costs the same whatever the kind's size (at 150,000 pods a set
    # of every key held the event loop, and the served clock, for tens of milliseconds): the
    # sorted keys are read a chunk at a time, a change checked against them by bisection.
    client = client_with(DEPLOYMENT, until=30)
    hub = client.facade.hub
    keys = [_CountedKey(k) for k in hub.keys.sorted("Pod")]
    assert len(keys) == 24
    monkeypatch.setattr(watch, "INITIAL_CHUNK_BYTES", 1)
    stream = watch.WatchStream(
        hub,
        "Pod",
        namespace=None,
        matches=None,
        api_version="v1",
        as_table=False,
        include="Metadata",
        bookmarks=False,
        clock=client.cluster.now_datetime,
    )
    _CountedKey.hashes = 0
    stream.start(keys, lambda key: client.cluster.store.get("Pod", *key))
    hub.subscribe(stream)
    assert _CountedKey.hashes == 0
    assert len(stream.take()) == 1 and _CountedKey.hashes == 0
    # A change of a pod not sent yet is found among them (and not sent on its own).
    last = keys[-1]
    _patch(client, f"{PODS}/{last[1]}", {"metadata": {"labels": {"mark": "x"}}})
    assert not stream._held
    taken = []
    while stream.pending():
        taken += [json.loads(line) for line in stream.take()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in taken][-1] == ("ADDED", last[1])
    assert taken[-1]["object"]["metadata"]["labels"]["mark"] == "x"
