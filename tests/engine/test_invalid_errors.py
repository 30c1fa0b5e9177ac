"""422 Invalid in the API server's and kubectl's words, everywhere a refusal is printed.

Upstream: errors.NewInvalid (staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go)
builds the Status message `%s %q is invalid: %v` from GroupKind.String() and
field.ErrorList.ToAggregate(); the aggregate's Error() (apimachinery
pkg/util/errors/errors.go) prints one error alone and several as `[a, b]`, each text
once. kubectl's checkErr (kubectl pkg/cmd/util/helpers.go) heads it
`The <details.kind> "<details.name>" is invalid: `.
"""

from __future__ import annotations

from engine.api import errors
from engine.manifests.loader import load_text

DUPLICATE_CONTAINER = """\
apiVersion: v1
kind: Pod
metadata:
  name: x
spec:
  containers:
  - name: c
    image: nginx
  - name: c
    image: nginx
"""

BAD_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
"""


class TestInvalidMessage:
    def test_one_cause_follows_the_kubectl_head(self) -> None:
        # kubectl checkErr: `The %s %q is invalid` + ": " + the one cause.
        err = errors.invalid("Pod", "x", ['spec.containers[1].name: Duplicate value: "c"'])
        assert err.message == 'The Pod "x" is invalid: spec.containers[1].name: Duplicate value: "c"'
        assert (err.code, err.reason) == (422, "Invalid")
        assert err.kubectl("creating", "x.yaml") == err.message

    def test_several_causes_are_joined_as_the_aggregate_joins_them(self) -> None:
        # utilerrors aggregate.Error(): "[" + strings.Join(msgs, ", ") + "]".
        err = errors.invalid("Pod", "x", ["a: Required value", "b: Required value"])
        assert err.message == 'The Pod "x" is invalid: [a: Required value, b: Required value]'

    def test_the_aggregate_prints_a_repeated_cause_once(self) -> None:
        # aggregate.Error() keeps a set of the messages it has printed.
        assert errors.aggregate(["a", "b", "a"]) == "[a, b]"
        assert errors.aggregate(["a", "a"]) == "a"

    def test_the_status_message_qualifies_the_kind_with_its_group(self) -> None:
        # NewInvalid: fmt.Sprintf("%s %q is invalid: %v", qualifiedKind.String(), ...);
        # GroupKind.String() is `Kind.group` (no "The": that is kubectl's).
        err = errors.invalid("Deployment", "web", ["spec.replicas: Invalid value: -1: x"], "apps")
        assert err.status_message == 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: x'
        assert err.message.startswith('The Deployment "web" is invalid: ')

    def test_status_causes_carry_the_field_the_type_and_the_error_body(self) -> None:
        # NewInvalid: StatusCause{Type: err.Type, Message: err.ErrorBody(), Field: err.Field}.
        err = errors.invalid("Pod", "x", ['spec.containers[1].name: Duplicate value: "c"'])
        assert err.status_causes == [
            {
                "reason": "FieldValueDuplicate",
                "message": 'Duplicate value: "c"',
                "field": "spec.containers[1].name",
            }
        ]


class TestValidationProblemsReadAsKubectlPrintsThem:
    def test_a_validation_problem_is_headed_the_kind_is_invalid(self) -> None:
        problems = [str(p) for p in load_text(DUPLICATE_CONTAINER, "pod.yaml").problems]
        assert problems == ['pod.yaml:9: The Pod "x" is invalid: spec.containers[1].name: Duplicate value: "c"']

    def test_an_objects_causes_are_one_problem_at_the_first_causes_line(self) -> None:
        problems = [str(p) for p in load_text(BAD_DEPLOYMENT, "d.yaml").problems]
        assert problems == [
            'd.yaml:6: The Deployment "web" is invalid: [spec.replicas: Invalid value: -1: must be '
            "greater than or equal to 0, spec.template.spec.containers[0].image: Required value]"
        ]

    def test_a_decoding_problem_stays_the_bad_request_text(self) -> None:
        # Strict decoding refuses with 400 BadRequest, not with a 422.
        text = DUPLICATE_CONTAINER.replace("  - name: c\n    image: nginx\n  - name", "  - name")
        text += "    ports:\n    - containerPort: \"80\"\n"
        problems = [str(p) for p in load_text(text, "pod.yaml").problems]
        assert problems and all("cannot be handled as a Pod" in p for p in problems)
        assert not any("is invalid" in p for p in problems)
