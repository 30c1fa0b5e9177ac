"""Taints and tolerations: which taints a pod's tolerations tolerate.

Rules from k8s.io/api/core/v1/toleration.go (`Toleration.ToleratesTaint`) and
k8s.io/component-helpers/scheduling/corev1/helpers.go (`TolerationsTolerateTaint`,
`FindMatchingUntoleratedTaint`). Taints and tolerations are API dicts; a missing field
is Go's zero value, the empty string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"

OP_EQUAL = "Equal"
OP_EXISTS = "Exists"

# The taint the node lifecycle controller and `kubectl cordon` use for spec.unschedulable.
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable"

Taint = Mapping[str, Any]
Toleration = Mapping[str, Any]


def toleration_tolerates_taint(toleration: Toleration, taint: Taint) -> bool:
    """Whether one toleration tolerates one taint, as `Toleration.ToleratesTaint`.

    An empty effect matches every effect; an empty key (valid only with Exists)
    matches every key; an empty operator means Equal.
    """
    effect = toleration.get("effect") or ""
    if effect and effect != (taint.get("effect") or ""):
        return False
    key = toleration.get("key") or ""
    if key and key != (taint.get("key") or ""):
        return False
    operator = toleration.get("operator") or ""
    if operator in ("", OP_EQUAL):
        return (toleration.get("value") or "") == (taint.get("value") or "")
    # Gt/Lt exist upstream only behind the alpha TaintTolerationComparisonOperators gate
    # (off by default, so API validation rejects them); any other operator tolerates nothing.
    return operator == OP_EXISTS


def tolerations_tolerate_taint(tolerations: Iterable[Toleration] | None, taint: Taint) -> bool:
    """Whether any of the tolerations tolerates the taint."""
    return any(toleration_tolerates_taint(t, taint) for t in tolerations or ())


def do_not_schedule_taints_filter(taint: Taint) -> bool:
    """The taints the scheduler's filter cares about: NoSchedule and NoExecute."""
    return taint.get("effect") in (NO_SCHEDULE, NO_EXECUTE)


def find_matching_untolerated_taint(
    taints: Iterable[Taint] | None,
    tolerations: Iterable[Toleration] | None,
    inclusion_filter: Callable[[Taint], bool] | None = None,
) -> Taint | None:
    """The first taint (in the node's order) that passes the filter and is not tolerated."""
    tolerations = list(tolerations or ())
    for taint in taints or ():
        if inclusion_filter is not None and not inclusion_filter(taint):
            continue
        if not tolerations_tolerate_taint(tolerations, taint):
            return taint
    return None


def count_intolerable_taints_prefer_no_schedule(
    taints: Iterable[Taint] | None, tolerations: Iterable[Toleration] | None
) -> int:
    """PreferNoSchedule taints not tolerated by the tolerations whose effect is empty or
    PreferNoSchedule (the TaintToleration score plugin's raw score)."""
    soft = [t for t in tolerations or () if (t.get("effect") or "") in ("", PREFER_NO_SCHEDULE)]
    return sum(
        1
        for taint in taints or ()
        if taint.get("effect") == PREFER_NO_SCHEDULE and not tolerations_tolerate_taint(soft, taint)
    )
