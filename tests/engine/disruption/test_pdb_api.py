"""The PodDisruptionBudget kind: validation, policy/v1beta1's defaults and selector, and
`kubectl get pdb` (pkg/apis/policy; control-plane.md §1.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.api import errors
from engine.cluster import Cluster
from engine.disruption.api import MATCH_NONE_SELECTOR
from engine.printers import render_table


def cluster() -> Cluster:
    c = Cluster()
    c.boot()
    return c


def pdb(spec: dict, api_version: str = "policy/v1", name: str = "web") -> dict:
    return {
        "apiVersion": api_version,
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": spec,
    }


SELECTOR = {"matchLabels": {"app": "web"}}


class TestValidation:
    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            (
                {"minAvailable": -1, "selector": SELECTOR},
                "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                {"minAvailable": "abc", "selector": SELECTOR},
                'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: '
                "a valid percent string must be a numeric string followed by an ending '%' "
                "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            ),
            (
                {"maxUnavailable": "150%", "selector": SELECTOR},
                'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: '
                "must not be greater than 100%",
            ),
            (
                {
                    "minAvailable": 1,
                    "selector": SELECTOR,
                    "unhealthyPodEvictionPolicy": "Sometimes",
                },
                'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: '
                '"AlwaysAllow", "IfHealthyBudget"',
            ),
            (
                {
                    "minAvailable": 1,
                    "selector": {"matchExpressions": [{"key": "app", "operator": "In"}]},
                },
                "spec.selector.matchExpressions[0].values: Required value: must be specified when "
                "`operator` is 'In' or 'NotIn'",
            ),
            (
                {
                    "minAvailable": 1,
                    "selector": {"matchExpressions": [{"key": "app", "operator": "Bogus"}]},
                },
                'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator',
            ),
        ],
    )
    def test_invalid_specs_are_refused_with_the_api_servers_words(
        self, spec: dict, message: str
    ) -> None:
        with pytest.raises(errors.APIError) as err:
            cluster().api.create(pdb(spec))
        assert err.value.code == 422
        assert err.value.message == f'The PodDisruptionBudget "web" is invalid: {message}'

    def test_both_bounds_set_is_refused(self) -> None:
        with pytest.raises(errors.APIError) as err:
            cluster().api.create(
                pdb({"minAvailable": 1, "maxUnavailable": 1, "selector": SELECTOR})
            )
        message = err.value.message
        assert message.startswith(
            'The PodDisruptionBudget "web" is invalid: spec: Invalid value: '
            "policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc"
        )
        assert message.endswith(
            "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: "
            "minAvailable and maxUnavailable cannot be both set"
        )

    def test_a_valid_budget_starts_with_an_empty_status(self) -> None:
        created = cluster().api.create(pdb({"minAvailable": "50%", "selector": SELECTOR})).obj
        assert created["apiVersion"] == "policy/v1"
        assert created["status"] == {
            "currentHealthy": 0,
            "desiredHealthy": 0,
            "disruptionsAllowed": 0,
            "expectedPods": 0,
        }
        assert created["metadata"]["generation"] == 1


class TestPolicyV1beta1:
    def test_v1beta1_is_served_with_the_deprecation_warning_and_stored_as_v1(self) -> None:
        result = cluster().api.create(
            pdb({"minAvailable": 1, "selector": SELECTOR}, "policy/v1beta1")
        )
        assert result.warnings == [
            "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; "
            "use policy/v1 PodDisruptionBudget"
        ]
        assert result.obj["apiVersion"] == "policy/v1"

    def test_v1beta1_defaults_min_available_to_one(self) -> None:
        created = cluster().api.create(pdb({"selector": SELECTOR}, "policy/v1beta1")).obj
        assert created["spec"]["minAvailable"] == 1

    def test_v1_has_no_such_default(self) -> None:
        created = cluster().api.create(pdb({"selector": SELECTOR})).obj
        assert "minAvailable" not in created["spec"]

    def test_v1beta1_empty_selector_is_stored_as_match_none(self) -> None:
        created = (
            cluster().api.create(pdb({"minAvailable": 1, "selector": {}}, "policy/v1beta1")).obj
        )
        assert created["spec"]["selector"] == MATCH_NONE_SELECTOR

    def test_v1_empty_selector_is_kept(self) -> None:
        created = cluster().api.create(pdb({"minAvailable": 1, "selector": {}})).obj
        assert created["spec"]["selector"] == {}

    def test_the_reserved_label_is_stripped_from_user_selectors(self) -> None:
        selector = {
            "matchLabels": {
                "app": "web",
                "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match": "x",
            }
        }
        created = cluster().api.create(pdb({"minAvailable": 1, "selector": selector})).obj
        assert created["spec"]["selector"] == SELECTOR


class TestPrinter:
    def test_kubectl_get_pdb(self) -> None:
        c = cluster()
        c.api.create(pdb({"minAvailable": 2, "selector": SELECTOR}, name="a"))
        c.api.create(pdb({"maxUnavailable": "25%", "selector": SELECTOR}, name="b"))
        objects = c.store.list("PodDisruptionBudget")
        text = render_table(
            "PodDisruptionBudget", objects, c.now_datetime() + timedelta(seconds=90)
        )
        assert text.splitlines() == [
            "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE",
            "a      2               N/A               0                     90s",
            "b      N/A             25%               0                     90s",
        ]
