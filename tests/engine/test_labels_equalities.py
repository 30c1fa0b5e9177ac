"""A selector of only `=`/`==`/`in` requirements is checked through its (key, values) pairs;
it must answer what Requirement.Matches answers for each requirement
(k8s.io/apimachinery/pkg/labels/selector.go: internalSelector.Matches)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.labels import parse_selector

KEYS = st.sampled_from(("app", "tier", "env"))
VALUES = st.sampled_from(("a", "b", "c", ""))
REQUIREMENT = st.one_of(
    st.builds(lambda k, v: f"{k}={v}", KEYS, VALUES),
    st.builds(lambda k, v: f"{k}=={v}", KEYS, VALUES),
    st.builds(lambda k, vs: f"{k} in ({','.join(vs)})", KEYS, st.lists(VALUES, min_size=1)),
)


@given(st.lists(REQUIREMENT, max_size=3), st.dictionaries(KEYS, VALUES, max_size=3))
def test_an_equality_selector_matches_as_its_requirements_do(requirements, labels) -> None:
    selector = parse_selector(",".join(requirements))
    assert selector.matches(labels) == all(r.matches(labels) for r in selector.requirements)


def test_a_missing_key_never_equals_an_empty_value() -> None:
    # `app=` selects pods whose app label is "" — not pods without the label.
    assert not parse_selector("app=").matches({})
    assert parse_selector("app=").matches({"app": ""})
