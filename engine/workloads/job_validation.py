"""validateJobSpec's rules for how a Job runs and ends (k/k pkg/apis/batch/validation/
validation.go): the restart policy, backoffLimitPerIndex and maxFailedIndexes,
podFailurePolicy rules, successPolicy rules and the "1,3-5" index lists they name."""

from __future__ import annotations

import json

from engine.api.kinds import FieldErrors
from engine.api.validation import render, required, unsupported
from engine.workloads.field_errors import Path, invalid, nonnegative


def job_restart_policy_errors(spec: dict, path: Path) -> FieldErrors:
    """validateJobSpec's restart policy rule (pkg/apis/batch/validation/validation.go): the
    pod default Always (or nothing) is a Required error naming the two valid values; since
    1.21 the text is no longer NotSupported's."""
    rpath = (*path, "template", "spec", "restartPolicy")
    policy = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy")
    if policy in ("Always", "", None):
        return [required(rpath, 'valid values: "OnFailure", "Never"')]
    if policy not in ("OnFailure", "Never"):
        return [unsupported(rpath, policy, ["OnFailure", "Never"])]
    if spec.get("podFailurePolicy") is not None and policy != "Never":
        return [
            invalid(rpath, policy, 'only "Never" is supported when podFailurePolicy is specified')
        ]
    return []


def job_policy_errors(spec: dict, path: Path) -> FieldErrors:
    """validateJobSpec's per-index, podFailurePolicy and successPolicy rules."""
    errors: FieldErrors = []
    indexed = spec.get("completionMode") == "Indexed"
    per_index = spec.get("backoffLimitPerIndex")
    max_failed = spec.get("maxFailedIndexes")
    errors += nonnegative((*path, "ttlSecondsAfterFinished"), spec.get("ttlSecondsAfterFinished"))
    errors += nonnegative((*path, "backoffLimitPerIndex"), per_index)
    if max_failed is not None:
        errors += nonnegative((*path, "maxFailedIndexes"), max_failed)
        if per_index is None:
            errors.append(
                required((*path, "backoffLimitPerIndex"), "when maxFailedIndexes is specified")
            )
    if indexed:
        completions = spec.get("completions")
        if (
            isinstance(completions, int)
            and isinstance(max_failed, int)
            and max_failed > completions
        ):
            errors.append(
                invalid(
                    (*path, "maxFailedIndexes"),
                    max_failed,
                    "must be less than or equal to completions",
                )
            )
    else:
        for name, value in (("backoffLimitPerIndex", per_index), ("maxFailedIndexes", max_failed)):
            if value is not None:
                errors.append(invalid((*path, name), value, "requires indexed completion mode"))
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        for i, rule in enumerate(policy.get("rules") or ()):
            rpath = (*path, "podFailurePolicy", "rules", i)
            action = rule.get("action")
            actions = ["Count", "FailIndex", "FailJob", "Ignore"]
            if not action:
                errors.append(required((*rpath, "action"), "valid values: " + _go_list(actions)))
            elif action == "FailIndex":
                if per_index is None:
                    errors.append(
                        invalid(
                            (*rpath, "action"),
                            action,
                            "requires the backoffLimitPerIndex to be set",
                        )
                    )
            elif action not in actions:
                errors.append(unsupported((*rpath, "action"), action, actions))
            on_exit = rule.get("onExitCodes")
            on_conditions = rule.get("onPodConditions")
            if on_exit is not None and on_conditions:
                errors.append(
                    (
                        rpath,
                        f"{render(rpath)}: Invalid value: "
                        "specifying both OnExitCodes and OnPodConditions is not supported",
                    )
                )
            if on_exit is None and not on_conditions:
                errors.append(
                    (
                        rpath,
                        f"{render(rpath)}: Invalid value: "
                        "specifying one of OnExitCodes and OnPodConditions is required",
                    )
                )
            if isinstance(on_exit, dict):
                operator = on_exit.get("operator")
                if operator not in ("In", "NotIn"):
                    errors.append(
                        unsupported((*rpath, "onExitCodes", "operator"), operator, ["In", "NotIn"])
                    )
                for j, value in enumerate(on_exit.get("values") or ()):
                    if operator == "In" and value == 0:
                        errors.append(
                            invalid(
                                (*rpath, "onExitCodes", "values", j),
                                0,
                                "must not be 0 for the In operator",
                            )
                        )
    if spec.get("successPolicy") is not None:
        if not indexed:
            errors.append(
                invalid(
                    (*path, "successPolicy"),
                    spec["successPolicy"],
                    "requires indexed completion mode",
                )
            )
        else:
            errors += success_policy_errors(spec, (*path, "successPolicy"))
    return errors


def success_policy_errors(spec: dict, path: Path) -> FieldErrors:
    """validateSuccessPolicy / validateSuccessPolicyRule."""
    errors: FieldErrors = []
    rules = (spec.get("successPolicy") or {}).get("rules") or []
    rpath = (*path, "rules")
    if not rules:
        errors.append(
            required(
                rpath, "at least one rules must be specified when the successPolicy is specified"
            )
        )
    completions = spec.get("completions")
    for i, rule in enumerate(rules):
        count = rule.get("succeededCount")
        indexes = rule.get("succeededIndexes")
        if count is None and indexes is None:
            errors.append(
                required(
                    (*rpath, i),
                    "at least one of succeededCount or succeededIndexes must be specified",
                )
            )
        total_indexes = 0
        if indexes is not None and isinstance(completions, int):
            try:
                total_indexes = indexes_total(indexes, completions)
            except ValueError as err:
                errors.append(
                    invalid(
                        (*rpath, i, "succeededIndexes"),
                        indexes,
                        f"error parsing succeededIndexes: {err}",
                    )
                )
        if isinstance(count, int) and isinstance(completions, int):
            cpath = (*rpath, i, "succeededCount")
            errors += nonnegative(cpath, count)
            if count > completions:
                errors.append(
                    invalid(
                        cpath,
                        count,
                        f"must be less than or equal to {completions} "
                        "(the number of specified completions)",
                    )
                )
            if indexes is not None and count > total_indexes:
                errors.append(
                    invalid(
                        cpath,
                        count,
                        f"must be less than or equal to {total_indexes} (the number of "
                        "indexes in the specified succeededIndexes field)",
                    )
                )
    return errors


def indexes_total(text: str, completions: int) -> int:
    """validateIndexesFormat: how many indexes "1,3-5" names; ValueError with the API
    server's words for a malformed list."""
    if not text:
        return 0
    last: int | None = None
    count = 0
    for part in text.split(","):
        limits = part.split("-")
        if len(limits) > 2:
            raise ValueError(
                f'the fragment "{part}" violates the requirement that an index interval can '
                "have at most two parts separated by '-'"
            )
        try:
            first = int(limits[0])
        except ValueError:
            raise ValueError(f'cannot convert string to integer for index: "{limits[0]}"') from None
        if first >= completions:
            raise ValueError(f'too large index: "{limits[0]}"')
        end = first
        if len(limits) > 1:
            try:
                end = int(limits[1])
            except ValueError:
                raise ValueError(
                    f'cannot convert string to integer for index: "{limits[1]}"'
                ) from None
            if end >= completions:
                raise ValueError(f'too large index: "{limits[1]}"')
            if first >= end:
                raise ValueError(f"non-increasing order, previous: {first}, current: {end}")
        if last is not None and last >= first:
            raise ValueError(f"non-increasing order, previous: {last}, current: {first}")
        count += end - first + 1
        last = end
    return count


def _go_list(values: list[str]) -> str:
    """%q of a Go []string: `["a" "b"]`."""
    return "[" + " ".join(json.dumps(v) for v in values) + "]"
