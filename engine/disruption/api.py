"""The PodDisruptionBudget kind: policy/v1, and policy/v1beta1 with its own selector meaning.

- Validation: k8s.io/kubernetes/pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec
  and apimachinery's ValidateLabelSelector.
- policy/v1beta1 (k8s.io/kubernetes/pkg/apis/policy/v1beta1, conversion.go and defaults.go):
  minAvailable defaults to 1 when neither field is set, and an empty selector `{}` selects
  no pods. The object is stored as policy/v1, where `{}` selects every pod of the
  namespace, so a v1beta1 `{}` is stored as a selector that can never match
  (`pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match` Exists), as upstream does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

from engine.api.kinds import FieldErrors, KindInfo, register_kind
from engine.api.validation import (
    DNS1123_SUBDOMAIN,
    SUBDOMAIN_MSG,
    forbidden,
    invalid,
    render,
    required,
    unsupported,
    validate_object_meta,
)
from engine.disruption import intstr
from engine.disruption.budget import empty_status

V1 = "policy/v1"
V1BETA1 = "policy/v1beta1"
PDB_V1BETA1_LABEL = "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match"
V1BETA1_DEPRECATION = (
    "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; "
    "use policy/v1 PodDisruptionBudget"
)
IF_HEALTHY_BUDGET = "IfHealthyBudget"
ALWAYS_ALLOW = "AlwaysAllow"
UNHEALTHY_POD_EVICTION_POLICIES = (ALWAYS_ALLOW, IF_HEALTHY_BUDGET)

# policy.NonV1beta1MatchNoneSelector / V1beta1MatchAllSelector (pkg/apis/policy/helper.go).
MATCH_NONE_SELECTOR = {"matchExpressions": [{"key": PDB_V1BETA1_LABEL, "operator": "Exists"}]}
V1BETA1_MATCH_ALL_SELECTOR = {
    "matchExpressions": [{"key": PDB_V1BETA1_LABEL, "operator": "DoesNotExist"}]
}

_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _selector_equal(selector: object, expected: dict) -> bool:
    """apiequality.Semantic.DeepEqual on two LabelSelectors (nil and empty lists alike)."""
    if not isinstance(selector, dict):
        return False

    def norm(s: dict) -> tuple:
        labels = tuple(sorted((s.get("matchLabels") or {}).items()))
        exprs = tuple(
            (e.get("key"), e.get("operator"), tuple(e.get("values") or ()))
            for e in s.get("matchExpressions") or ()
        )
        return labels, exprs

    return norm(selector) == norm(expected)


def _strip_v1beta1_label(selector: dict | None) -> None:
    """StripPDBV1beta1Label: the reserved key never mixes with what a user wrote."""
    if not isinstance(selector, dict):
        return
    labels = selector.get("matchLabels")
    if isinstance(labels, dict) and PDB_V1BETA1_LABEL in labels:
        del labels[PDB_V1BETA1_LABEL]
    exprs = selector.get("matchExpressions")
    if isinstance(exprs, list):
        kept = [e for e in exprs if not (isinstance(e, dict) and e.get("key") == PDB_V1BETA1_LABEL)]
        if len(kept) != len(exprs):
            selector["matchExpressions"] = kept


def default_pdb(obj: dict) -> None:
    """Decoding defaults and conversion to the stored policy/v1 form; status starts empty."""
    spec = obj.setdefault("spec", {})
    selector = spec.get("selector")
    if obj.get("apiVersion") == V1BETA1:
        if spec.get("minAvailable") is None and spec.get("maxUnavailable") is None:
            spec["minAvailable"] = 1
        if _selector_equal(selector, {}):
            spec["selector"] = copy.deepcopy(MATCH_NONE_SELECTOR)
        elif _selector_equal(selector, V1BETA1_MATCH_ALL_SELECTOR):
            spec["selector"] = {}
        else:
            _strip_v1beta1_label(selector)
    elif not (_selector_equal(selector, MATCH_NONE_SELECTOR) or _selector_equal(selector, {})):
        _strip_v1beta1_label(selector)
    # PrepareForCreate: a client cannot set status; the API server's update keeps the live one.
    obj["status"] = empty_status()


def _pointer(name: str, field: str) -> str:
    # Go prints the addresses of the spec's pointer fields; podtui makes up stable ones.
    digest = int(hashlib.sha256(f"{name}/{field}".encode()).hexdigest()[:6], 16) & ~0x1F
    return f"0xc000{digest:06x}"


def _spec_go_syntax(name: str, spec: dict) -> str:
    """`%#v` of the internal PodDisruptionBudgetSpec, as the both-set error prints it."""

    def ptr(go_type: str, field: str, value: object) -> str:
        if value is None:
            return f"({go_type})(nil)"
        return f"({go_type})({_pointer(name, field)})"

    return (
        "policy.PodDisruptionBudgetSpec{"
        f"MinAvailable:{ptr('*intstr.IntOrString', 'minAvailable', spec.get('minAvailable'))}, "
        f"Selector:{ptr('*v1.LabelSelector', 'selector', spec.get('selector'))}, "
        f"MaxUnavailable:{ptr('*intstr.IntOrString', 'maxUnavailable', spec.get('maxUnavailable'))}, "
        "UnhealthyPodEvictionPolicy:"
        f"{ptr('*policy.UnhealthyPodEvictionPolicyType', 'unhealthyPodEvictionPolicy', spec.get('unhealthyPodEvictionPolicy'))}"
        "}"
    )


def _int_or_percent_errors(path: tuple, value: object) -> FieldErrors:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent."""
    errors: FieldErrors = []
    if isinstance(value, bool) or not isinstance(value, int | str):
        return errors  # decoding already refused it
    if isinstance(value, str):
        if not intstr.is_valid_percent(value):
            errors.append(
                (
                    path,
                    f"{render(path)}: Invalid value: {intstr.go_syntax(value)}: {intstr.PERCENT_MSG}",
                )
            )
    elif value < 0:
        errors.append(invalid(path, value, "must be greater than or equal to 0"))
    percent = intstr.percent_value(value)
    if percent is not None and percent > 100:
        errors.append(
            (
                path,
                f"{render(path)}: Invalid value: {intstr.go_syntax(value)}: must not be greater than 100%",
            )
        )
    return errors


def _qualified_name_errors(path: tuple, key: str) -> list[str]:
    prefix, _, name = key.rpartition("/")
    problems: list[str] = []
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        problems.append("prefix part " + SUBDOMAIN_MSG)
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    elif not _LABEL_NAME.match(name):
        problems.append(_NAME_PART_MSG)
    return problems


def validate_label_selector(selector: object, path: tuple) -> FieldErrors:
    """ValidateLabelSelector: matchLabels keys and values, matchExpressions operators."""
    errors: FieldErrors = []
    if not isinstance(selector, dict):
        return errors
    labels_path = (*path, "matchLabels")
    for key, value in (selector.get("matchLabels") or {}).items():
        for problem in _qualified_name_errors(labels_path, str(key)):
            errors.append(
                (
                    (*labels_path, key),
                    f"{render(labels_path)}: Invalid value: {json.dumps(key)}: {problem}",
                )
            )
        if isinstance(value, str):
            if len(value) > 63:
                errors.append(
                    invalid((*labels_path, f"[{key}]"), value, "must be no more than 63 characters")
                )
            elif not _LABEL_VALUE.match(value):
                errors.append(invalid((*labels_path, f"[{key}]"), value, _LABEL_VALUE_MSG))
    for index, expr in enumerate(selector.get("matchExpressions") or []):
        if not isinstance(expr, dict):
            continue
        expr_path = (*path, "matchExpressions", index)
        operator = expr.get("operator", "")
        values = expr.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(
                    required(
                        (*expr_path, "values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.append(
                    forbidden(
                        (*expr_path, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errors.append(
                invalid((*expr_path, "operator"), operator, "not a valid selector operator")
            )
        key = str(expr.get("key", ""))
        for problem in _qualified_name_errors((*expr_path, "key"), key):
            errors.append(invalid((*expr_path, "key"), key, problem))
        for value_index, value in enumerate(values):
            if isinstance(value, str) and (len(value) > 63 or not _LABEL_VALUE.match(value)):
                detail = (
                    "must be no more than 63 characters" if len(value) > 63 else _LABEL_VALUE_MSG
                )
                errors.append(invalid((*expr_path, "values", value_index), value, detail))
    return errors


def validate_pdb(obj: dict) -> FieldErrors:
    """ValidatePodDisruptionBudget (the object meta, then the spec)."""
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return errors
    name = (obj.get("metadata") or {}).get("name") or ""
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errors.append(
            (
                ("spec",),
                f"spec: Invalid value: {_spec_go_syntax(name, spec)}: "
                "minAvailable and maxUnavailable cannot be both set",
            )
        )
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            errors.extend(_int_or_percent_errors(("spec", field), spec[field]))
    errors.extend(validate_label_selector(spec.get("selector"), ("spec", "selector")))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        errors.append(
            unsupported(
                ("spec", "unhealthyPodEvictionPolicy"),
                policy,
                list(UNHEALTHY_POD_EVICTION_POLICIES),
            )
        )
    return errors


POD_DISRUPTION_BUDGET = KindInfo(
    "PodDisruptionBudget",
    "policy",
    ("v1",),
    "poddisruptionbudgets",
    short_names=("pdb",),
    schema={
        "v1": "io.k8s.api.policy.v1.PodDisruptionBudget",
        # v1beta1 has the same fields (unhealthyPodEvictionPolicy included since 1.26).
        "v1beta1": "io.k8s.api.policy.v1.PodDisruptionBudget",
    },
    deprecated={V1BETA1: V1BETA1_DEPRECATION},
    validate=validate_pdb,
    default=default_pdb,
)


def register() -> None:
    register_kind(POD_DISRUPTION_BUDGET)
