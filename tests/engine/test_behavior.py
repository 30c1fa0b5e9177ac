"""The behavior.podtui.io/<container> annotation: parsing and validation messages."""

from __future__ import annotations

import pytest

from engine.containers.behavior import (
    Behavior,
    BehaviorError,
    annotation_key,
    behavior_for,
    behavior_problems,
    parse_behavior,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Behavior()),
        ("listenDelay=20s", Behavior(listen_delay=20.0)),
        ("exitAfter=30s exitCode=1", Behavior(exit_after=30.0, exit_code=1)),
        ("exitCode=3", Behavior(exit_code=3)),
        ("oomAfter=45s", Behavior(oom_after=45.0)),
        ("httpStatus=500", Behavior(http_status=500)),
        ("ignoreSigterm", Behavior(ignore_sigterm=True)),
        ("ignoreSigterm=false", Behavior()),
        ("sigtermExitCode=0 sigtermDelay=5s", Behavior(sigterm_exit_code=0, sigterm_delay=5.0)),
        ("pullTime=8s", Behavior(pull_time=8.0)),
        ("listenDelay=1m30s", Behavior(listen_delay=90.0)),
        ("listenDelay=15", Behavior(listen_delay=15.0)),
        ("  listenDelay=2s   httpStatus=503  ", Behavior(listen_delay=2.0, http_status=503)),
    ],
)
def test_parse_behavior_accepts_documented_settings(text: str, expected: Behavior) -> None:
    assert parse_behavior(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "listenDely=20s",
            'unknown behavior "listenDely" (known: listenDelay, exitAfter, exitCode, oomAfter, '
            "httpStatus, grpcStatus, ignoreSigterm, sigtermExitCode, sigtermDelay, pullTime)",
        ),
        (
            "listenDelay=soon",
            'listenDelay: invalid duration "soon": use forms like 90s, 5m, 1h30m or plain seconds',
        ),
        ("exitCode=256", 'exitCode: "256" is not a whole number from 0 to 255'),
        ("exitCode=one", 'exitCode: "one" is not a whole number from 0 to 255'),
        ("httpStatus=42", 'httpStatus: "42" is not a whole number from 100 to 599'),
        ("oomAfter", 'oomAfter needs a value: "oomAfter=..."'),
        ("oomAfter=", 'oomAfter needs a value: "oomAfter=..."'),
        (
            "ignoreSigterm=yes",
            'ignoreSigterm is a flag: write "ignoreSigterm" or "ignoreSigterm=true"',
        ),
        ("listenDelay=1s listenDelay=2s", '"listenDelay" is given more than once'),
        (
            "ignoreSigterm sigtermDelay=5s",
            "ignoreSigterm cannot be combined with sigtermExitCode or sigtermDelay",
        ),
    ],
)
def test_parse_behavior_rejects_bad_input_with_a_message(text: str, message: str) -> None:
    with pytest.raises(BehaviorError) as caught:
        parse_behavior(text)
    assert str(caught.value) == message


def pod(annotations: dict[str, str]) -> dict:
    return {
        "metadata": {"name": "web", "annotations": annotations},
        "spec": {"initContainers": [{"name": "setup"}], "containers": [{"name": "app"}]},
    }


def test_behavior_for_reads_the_containers_annotation() -> None:
    annotated = pod({annotation_key("app"): "listenDelay=20s"})
    assert behavior_for(annotated, "app") == Behavior(listen_delay=20.0)
    assert behavior_for(annotated, "setup") == Behavior()


def test_behavior_for_ignores_an_unparsable_annotation() -> None:
    assert behavior_for(pod({annotation_key("app"): "bogus"}), "app") == Behavior()


def test_behavior_problems_name_the_annotation_and_the_problem() -> None:
    problems = behavior_problems(
        pod(
            {
                annotation_key("app"): "exitCode=999",
                annotation_key("sidecar"): "listenDelay=1s",
                annotation_key("setup"): "exitAfter=5s",
                "other.io/key": "ignored",
            }
        )
    )
    assert problems == [
        'metadata.annotations[behavior.podtui.io/app]: exitCode: "999" is not a whole number '
        "from 0 to 255",
        'metadata.annotations[behavior.podtui.io/sidecar]: the pod has no container named "sidecar"',
    ]


def test_a_behavior_number_of_thousands_of_digits_is_refused_not_raised() -> None:
    # str.isdigit() accepted "²" and int() raised on 5000 digits (issue 10, item 7).
    from engine.containers.behavior import BehaviorError, parse_behavior

    for value in ["9" * 5000, "²"]:
        with pytest.raises(BehaviorError):
            parse_behavior(f"exitCode={value}")
