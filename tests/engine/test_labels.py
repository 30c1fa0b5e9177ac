"""Label selectors: kubectl strings, metav1.LabelSelector and node selector terms."""

from __future__ import annotations

import pytest

from engine.labels import (
    EVERYTHING,
    NOTHING,
    NodeSelector,
    PreferredSchedulingTerms,
    SelectorError,
    label_selector_as_selector,
    label_selector_matches,
    parse_selector,
    selector_from_set,
)

WEB = {"app": "web", "tier": "frontend", "env": "a", "gen": "5"}
DB = {"app": "db", "tier": "db", "env": "c"}
BARE: dict[str, str] = {}

# (selector string, labels, matches) — the semantics of labels.Parse + Requirement.Matches.
SELECTOR_STRINGS = [
    ("app=web", WEB, True),
    ("app=web", DB, False),
    ("app==web", WEB, True),
    ("app!=web", DB, True),
    ("app!=web", BARE, True),  # != matches when the key is absent
    ("app=web,tier!=db,env in (a,b)", WEB, True),
    ("app=web,tier!=db,env in (a,b)", DB, False),
    ("env in (a, b)", WEB, True),
    ("env notin (a,b)", WEB, False),
    ("env notin (a,b)", DB, True),
    ("env notin (a,b)", BARE, True),  # notin matches when the key is absent
    ("env in (a,b)", BARE, False),  # in needs the key
    ("tier", WEB, True),  # a bare key means exists
    ("tier", BARE, False),
    ("!tier", BARE, True),
    ("!tier", WEB, False),
    ("gen>3", WEB, True),
    ("gen<3", WEB, False),
    ("gen>3", DB, False),  # no such label
    ("app>3", WEB, False),  # label is not an integer
    ("", WEB, True),  # the empty selector matches everything
    ("x in ()", {"x": ""}, True),  # "()" holds the empty value
    ("x in (a,)", {"x": ""}, True),
    ("x=", {"x": ""}, True),
    ("in in (in)", {"in": "in"}, True),  # keywords are plain words in key/value position
]


@pytest.mark.parametrize(("text", "labels", "matches"), SELECTOR_STRINGS)
def test_selector_string_matches_like_labels_parse(text: str, labels: dict, matches: bool) -> None:
    assert parse_selector(text).matches(labels) is matches


@pytest.mark.parametrize(
    "text",
    [
        "x in (a",
        "x in a",
        "=a",
        "a b",
        "!a=b",
        "a,",
        "a=b c",
        "gen>x",  # Gt/Lt need an integer
        "-bad=key",
        "a=-bad-",
        "a~b",
    ],
)
def test_invalid_selector_strings_are_rejected(text: str) -> None:
    with pytest.raises(SelectorError):
        parse_selector(text)


def test_selector_string_round_trips_sorted_by_key() -> None:
    selector = parse_selector("tier!=db, app=web ,env in (b,a),!beta,gen>3")
    assert str(selector) == "app=web,!beta,env in (a,b),gen>3,tier!=db"
    assert parse_selector(str(selector)) == selector


def test_selector_from_set_requires_every_pair() -> None:
    selector = selector_from_set({"app": "web", "tier": "frontend"})
    assert selector.matches(WEB)
    assert not selector.matches({"app": "web"})
    assert selector_from_set({}).empty()


class TestLabelSelector:
    def test_nil_selector_matches_nothing(self) -> None:
        assert label_selector_as_selector(None) is NOTHING
        assert not label_selector_matches(None, WEB)

    def test_empty_selector_matches_everything(self) -> None:
        assert label_selector_as_selector({}) == EVERYTHING
        assert label_selector_matches({}, BARE)

    @pytest.mark.parametrize(
        ("selector", "labels", "matches"),
        [
            ({"matchLabels": {"app": "web"}}, WEB, True),
            (
                {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}],
                },
                WEB,
                False,  # matchLabels and matchExpressions are ANDed
            ),
            (
                {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["a"]}]},
                DB,
                True,
            ),
            ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, BARE, False),
            ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, BARE, True),
        ],
    )
    def test_match_labels_and_expressions(
        self, selector: dict, labels: dict, matches: bool
    ) -> None:
        assert label_selector_as_selector(selector).matches(labels) is matches

    @pytest.mark.parametrize(
        "expression",
        [
            {"key": "a", "operator": "Gt", "values": ["1"]},  # only node selectors have Gt
            {"key": "a", "operator": "In", "values": []},
            {"key": "a", "operator": "Exists", "values": ["x"]},
        ],
    )
    def test_invalid_expressions_are_rejected(self, expression: dict) -> None:
        with pytest.raises(SelectorError):
            label_selector_as_selector({"matchExpressions": [expression]})
        assert not label_selector_matches({"matchExpressions": [expression]}, WEB)


def _node(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}}


def _term(*expressions: tuple, fields: tuple = ()) -> dict:
    term: dict = {}
    if expressions:
        term["matchExpressions"] = [
            {"key": k, "operator": op, **({"values": list(v)} if v is not None else {})}
            for k, op, v in expressions
        ]
    if fields:
        term["matchFields"] = [{"key": k, "operator": op, "values": list(v)} for k, op, v in fields]
    return term


class TestNodeSelector:
    @pytest.mark.parametrize(
        ("expression", "labels", "matches"),
        [
            (("zone", "In", ["a", "b"]), {"zone": "a"}, True),
            (("zone", "In", ["a", "b"]), {"zone": "c"}, False),
            (("zone", "NotIn", ["a"]), {"zone": "c"}, True),
            (("zone", "NotIn", ["a"]), {}, True),
            (("gpu", "Exists", None), {"gpu": ""}, True),
            (("gpu", "Exists", None), {}, False),
            (("gpu", "DoesNotExist", None), {}, True),
            (("gpu", "DoesNotExist", None), {"gpu": "1"}, False),
            (("cores", "Gt", ["8"]), {"cores": "16"}, True),
            (("cores", "Gt", ["8"]), {"cores": "8"}, False),
            (("cores", "Lt", ["8"]), {"cores": "4"}, True),
            (("cores", "Lt", ["8"]), {"cores": "-4"}, True),
            (("cores", "Lt", ["8"]), {"cores": "four"}, False),
            (("cores", "Lt", ["8"]), {}, False),
        ],
    )
    def test_operators(self, expression: tuple, labels: dict, matches: bool) -> None:
        selector = NodeSelector({"nodeSelectorTerms": [_term(expression)]})
        assert selector.matches(_node("n1", **labels)) is matches

    def test_expressions_within_a_term_are_anded(self) -> None:
        term = _term(("zone", "In", ["a"]), ("disk", "In", ["ssd"]))
        selector = NodeSelector({"nodeSelectorTerms": [term]})
        assert selector.matches(_node("n1", zone="a", disk="ssd"))
        assert not selector.matches(_node("n1", zone="a", disk="hdd"))

    def test_terms_are_ored(self) -> None:
        terms = [_term(("zone", "In", ["a"])), _term(("disk", "In", ["ssd"]))]
        selector = NodeSelector({"nodeSelectorTerms": terms})
        assert selector.matches(_node("n1", zone="b", disk="ssd"))
        assert selector.matches(_node("n1", zone="a"))
        assert not selector.matches(_node("n1", zone="b"))

    def test_match_fields_select_by_node_name(self) -> None:
        term = _term(fields=(("metadata.name", "In", ["node-2"]),))
        selector = NodeSelector({"nodeSelectorTerms": [term]})
        assert selector.matches(_node("node-2"))
        assert not selector.matches(_node("node-1"))
        not_in = _term(fields=(("metadata.name", "NotIn", ["node-2"]),))
        assert NodeSelector({"nodeSelectorTerms": [not_in]}).matches(_node("node-1"))

    def test_match_fields_and_expressions_are_anded(self) -> None:
        term = _term(("zone", "In", ["a"]), fields=(("metadata.name", "In", ["node-2"]),))
        selector = NodeSelector({"nodeSelectorTerms": [term]})
        assert selector.matches(_node("node-2", zone="a"))
        assert not selector.matches(_node("node-2", zone="b"))
        assert not selector.matches(_node("node-1", zone="a"))

    def test_empty_term_and_no_terms_match_nothing(self) -> None:
        assert not NodeSelector({"nodeSelectorTerms": [{}]}).matches(_node("n1", zone="a"))
        assert not NodeSelector({"nodeSelectorTerms": []}).matches(_node("n1"))

    def test_an_invalid_term_is_ignored_and_the_others_still_apply(self) -> None:
        bad = _term(("cores", "Gt", ["eight"]))
        good = _term(("zone", "In", ["a"]))
        selector = NodeSelector({"nodeSelectorTerms": [bad, good]})
        assert selector.errors
        assert selector.matches(_node("n1", zone="a"))
        assert not selector.matches(_node("n1", cores="16"))

    def test_preferred_terms_score_is_the_sum_of_matching_weights(self) -> None:
        terms = PreferredSchedulingTerms(
            [
                {"weight": 10, "preference": _term(("zone", "In", ["a"]))},
                {"weight": 5, "preference": _term(("disk", "In", ["ssd"]))},
                {"weight": 0, "preference": _term(("zone", "In", ["a"]))},  # weight 0: skipped
                {"weight": 7, "preference": {}},  # empty preference: skipped
            ]
        )
        assert terms.score({"zone": "a", "disk": "ssd"}, "n1") == 15
        assert terms.score({"zone": "a"}, "n1") == 10
        assert terms.score({}, "n1") == 0
