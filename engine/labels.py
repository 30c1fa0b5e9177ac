"""Label selectors: kubectl selector strings, metav1.LabelSelector and node selector terms.

Rules from k8s.io/apimachinery/pkg/labels/selector.go (`NewRequirement`,
`Requirement.Matches`, `Parse`), k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go
(`LabelSelectorAsSelector`) and k8s.io/component-helpers/scheduling/corev1/nodeaffinity
(`NodeSelector`, `PreferredSchedulingTerms`). Selectors are parsed once and matched
many times, so matching is the cheap part.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# selection.Operator spellings, as upstream's String() prints them.
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
IN = "in"
NOT_IN = "notin"
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = "gt"
LESS_THAN = "lt"

OBJECT_NAME_FIELD = "metadata.name"

_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class SelectorError(ValueError):
    """A selector that the API server (or kubectl) would reject."""


def validate_label_key(key: str) -> None:
    """A label key is a qualified name: optional DNS-subdomain prefix, `/`, name (≤63)."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        raise SelectorError(f"invalid label key {key!r}: prefix must be a DNS subdomain")
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        raise SelectorError(
            f"invalid label key {key!r}: name part must consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character"
        )


def validate_label_value(value: str) -> None:
    """A label value is empty, or ≤63 alphanumerics with `-`, `_`, `.` inside."""
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        raise SelectorError(
            f"invalid label value: {value!r}: a valid label must be an empty string or "
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64): no spaces, no underscores, int64 range."""
    if not _INT64.fullmatch(text):
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


class Requirement:
    """One `key op values` clause of a selector."""

    __slots__ = ("_number", "_values", "key", "operator", "values")

    def __init__(self, key: str, operator: str, values: Iterable[str] = ()) -> None:
        self.key = key
        self.operator = operator
        self.values: tuple[str, ...] = tuple(sorted(set(values)))
        self._values = frozenset(self.values)
        self._number = _parse_int64(self.values[0]) if len(self.values) == 1 else None

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Requirement.Matches: NotIn and != also match when the key is absent."""
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            value = labels.get(self.key)
            return value is not None and value in self._values
        if op in (NOT_IN, NOT_EQUALS):
            value = labels.get(self.key)
            return value is None or value not in self._values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            value = labels.get(self.key)
            if value is None or self._number is None:
                return False
            number = _parse_int64(value)
            if number is None:
                return False
            return number > self._number if op == GREATER_THAN else number < self._number
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return f"!{self.key}"
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({','.join(self.values)})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{self.values[0] if self.values else ''}"

    def __repr__(self) -> str:
        return f"Requirement({self.key!r}, {self.operator!r}, {list(self.values)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Requirement) and (self.key, self.operator, self.values) == (
            other.key,
            other.operator,
            other.values,
        )

    def __hash__(self) -> int:
        return hash((self.key, self.operator, self.values))


def new_requirement(key: str, operator: str, values: Sequence[str] = ()) -> Requirement:
    """labels.NewRequirement: validate the key, the operator's arity and every value."""
    validate_label_key(key)
    if operator in (IN, NOT_IN):
        if not values:
            raise SelectorError("for 'in', 'notin' operators, values set can't be empty")
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(values) != 1:
            raise SelectorError("exact-match compatibility requires one single value")
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if values:
            raise SelectorError("values set must be empty for exists and does not exist")
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(values) != 1:
            raise SelectorError("for 'Gt', 'Lt' operators, exactly one value is required")
        if _parse_int64(values[0]) is None:
            raise SelectorError("for 'Gt', 'Lt' operators, the value must be an integer")
    else:
        raise SelectorError(f"operator {operator!r} is not recognized")
    for value in values:
        validate_label_value(value)
    return Requirement(key, operator, values)


class Selector:
    """A conjunction of requirements; `NOTHING` matches no labels at all."""

    __slots__ = ("_equalities", "_nothing", "requirements")

    def __init__(self, requirements: Iterable[Requirement] = (), *, nothing: bool = False) -> None:
        self.requirements: tuple[Requirement, ...] = tuple(
            sorted(requirements, key=lambda r: r.key)
        )
        self._nothing = nothing
        # Most selectors (every matchLabels) are only `key=value` / `key in (...)`: checked
        # as (key, allowed values) pairs, they cost a lookup each (controllers ask per pod).
        self._equalities: tuple[tuple[str, frozenset[str]], ...] | None = None
        if all(r.operator in (IN, EQUALS, DOUBLE_EQUALS) for r in self.requirements):
            self._equalities = tuple((r.key, r._values) for r in self.requirements)

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether a label set satisfies every requirement."""
        if self._nothing:
            return False
        labels = labels or {}
        equalities = self._equalities
        if equalities is not None:
            # A plain loop: all() over a generator costs twice as much here.
            for key, values in equalities:  # noqa: SIM110
                # A missing key gives None, never one of the (string) values.
                if labels.get(key) not in values:
                    return False
            return True
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        """True for the selector that matches everything."""
        return not self._nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return "Selector(nothing)" if self._nothing else f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Selector) and (self._nothing, self.requirements) == (
            other._nothing,
            other.requirements,
        )

    def __hash__(self) -> int:
        return hash((self._nothing, self.requirements))


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """labels.SelectorFromSet: every key equals its value; empty matches everything."""
    return Selector(Requirement(k, EQUALS, (v,)) for k, v in (labels or {}).items())


# -- kubectl's selector strings ---------------------------------------------------------

_SPECIAL = frozenset("=!(),<>")
_WHITESPACE = frozenset(" \t\r\n")
_SYMBOLS = frozenset({"=", "==", "!=", "!", "(", ")", ",", ">", "<"})
_IDENT = "ident"
_END = "end"


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens as upstream's Lexer makes them: (kind, literal); kind is a symbol,
    `in`, `notin`, an identifier or the end."""
    tokens: list[tuple[str, str]] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= size:
            tokens.append((_END, ""))
            return tokens
        if text[pos] in _SPECIAL:
            # Longest run of special characters that is still a known symbol.
            best, end = "", pos
            while end < size and text[end] in _SPECIAL:
                candidate = text[pos : end + 1]
                if candidate in _SYMBOLS:
                    best = candidate
                elif best:
                    break
                end += 1
            if not best:
                raise SelectorError(f"error expected: keyword found '{text[pos:end]}'")
            tokens.append((best, best))
            pos += len(best)
            continue
        start = pos
        while pos < size and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        tokens.append((word if word in (IN, NOT_IN) else _IDENT, word))


class _Parser:
    """Recursive-descent parser for `app=web,tier!=db,env in (a,b),!beta,gen>3`."""

    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.pos = 0

    def _peek(self, values: bool = True) -> tuple[str, str]:
        kind, literal = self.tokens[self.pos]
        # In value position the keywords `in` and `notin` are ordinary identifiers.
        return (_IDENT if values and kind in (IN, NOT_IN) else kind), literal

    def _take(self, values: bool = True) -> tuple[str, str]:
        token = self._peek(values)
        self.pos += 1
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            kind, literal = self._peek()
            if kind == _END:
                return requirements
            if kind not in (_IDENT, "!"):
                raise SelectorError(
                    f"found '{literal}', expected: !, identifier, or 'end of string'"
                )
            try:
                requirements.append(self._requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            kind, literal = self._take()
            if kind == _END:
                return requirements
            if kind != ",":
                raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
            kind, literal = self._peek()
            if kind not in (_IDENT, "!"):
                raise SelectorError(f"found '{literal}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        operator = ""
        kind, key = self._take()
        if kind == "!":
            operator = DOES_NOT_EXIST
            kind, key = self._take()
        if kind != _IDENT:
            raise SelectorError(f"found '{key}', expected: identifier")
        validate_label_key(key)
        if self._peek()[0] in (_END, ","):
            return new_requirement(key, operator or EXISTS)
        if operator == DOES_NOT_EXIST:
            raise SelectorError(f"found '{self._peek()[1]}', expected: ',' or 'end of string'")
        kind, literal = self._take(values=False)
        operator = {
            IN: IN,
            NOT_IN: NOT_IN,
            "=": EQUALS,
            "==": DOUBLE_EQUALS,
            "!=": NOT_EQUALS,
            ">": GREATER_THAN,
            "<": LESS_THAN,
        }.get(kind, "")
        if not operator:
            raise SelectorError(f"found '{literal}', expected: '=', '!=', '==', 'in', notin'")
        values = self._set_values() if operator in (IN, NOT_IN) else self._exact_value()
        return new_requirement(key, operator, sorted(values))

    def _set_values(self) -> set[str]:
        kind, literal = self._take()
        if kind != "(":
            raise SelectorError(f"found '{literal}' expected: '('")
        kind, literal = self._peek()
        if kind == ")":
            self._take()
            return {""}  # upstream reads "()" as the set holding the empty value
        if kind not in (_IDENT, ","):
            raise SelectorError(f"found '{literal}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            kind, literal = self._take()
            if kind == _IDENT:
                values.add(literal)
                after, after_literal = self._peek()
                if after == ",":
                    self._take()
                    if self._peek()[0] in (")", ","):
                        values.add("")  # "(a,)" and "(a,,b)" hold the empty value
                    continue
                if after == ")":
                    self._take()
                    return values
                raise SelectorError(f"found '{after_literal}', expected: ',' or ')'")
            if kind == ",":
                values.add("")  # "(,a)" holds the empty value
                continue
            if kind == ")":
                return values
            raise SelectorError(f"found '{literal}', expected: ',', or identifier")

    def _exact_value(self) -> set[str]:
        kind, literal = self._peek()
        if kind in (_END, ","):
            return {""}
        kind, literal = self._take()
        if kind != _IDENT:
            raise SelectorError(f"found '{literal}', expected: identifier")
        return {literal}


def parse_selector(text: str) -> Selector:
    """labels.Parse: a kubectl `-l` selector string; the empty string matches everything."""
    return Selector(_Parser(text).parse())


# -- metav1.LabelSelector ---------------------------------------------------------------

_LABEL_SELECTOR_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


PARSED_SELECTOR_LIMIT = 4096
"""Selectors remembered by parsed_label_selector (a pure function): past this, start over."""
_PARSED_SELECTORS: dict[bytes, Selector | SelectorError] = {}


def parsed_label_selector(selector: Mapping[str, Any] | None) -> Selector:
    """label_selector_as_selector, remembered: controllers ask for the same few selectors on
    every change (Selectors are immutable; an invalid one raises the same error each time)."""
    if selector is None:
        return NOTHING
    try:
        key = marshal.dumps(selector)
    except ValueError:
        return label_selector_as_selector(selector)
    found = _PARSED_SELECTORS.get(key)
    if found is None:
        if len(_PARSED_SELECTORS) >= PARSED_SELECTOR_LIMIT:
            _PARSED_SELECTORS.clear()
        try:
            found = label_selector_as_selector(selector)
        except SelectorError as err:
            found = err
        _PARSED_SELECTORS[key] = found
    if isinstance(found, SelectorError):
        raise SelectorError(str(found))
    return found


def label_selector_as_selector(selector: Mapping[str, Any] | None) -> Selector:
    """LabelSelectorAsSelector: nil matches nothing, `{}` matches everything."""
    if selector is None:
        return NOTHING
    requirements = [
        new_requirement(k, EQUALS, [v]) for k, v in (selector.get("matchLabels") or {}).items()
    ]
    for expr in selector.get("matchExpressions") or ():
        operator = _LABEL_SELECTOR_OPERATORS.get(expr.get("operator", ""))
        if operator is None:
            raise SelectorError(f"{expr.get('operator')!r} is not a valid label selector operator")
        requirements.append(
            new_requirement(expr.get("key", ""), operator, expr.get("values") or [])
        )
    return Selector(requirements)


def label_selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a metav1.LabelSelector selects the labels (an invalid selector selects none)."""
    try:
        return label_selector_as_selector(selector).matches(labels)
    except SelectorError:
        return False


# -- v1.NodeSelector (node affinity) ----------------------------------------------------

_NODE_SELECTOR_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
    "Gt": GREATER_THAN,
    "Lt": LESS_THAN,
}


def node_selector_requirements_as_selector(
    requirements: Sequence[Mapping[str, Any]],
) -> Selector:
    """matchExpressions of a node selector term as a label selector; empty matches nothing."""
    if not requirements:
        return NOTHING
    parsed = []
    for expr in requirements:
        operator = _NODE_SELECTOR_OPERATORS.get(expr.get("operator", ""))
        if operator is None:
            raise SelectorError(f"{expr.get('operator')!r} is not a valid node selector operator")
        parsed.append(new_requirement(expr.get("key", ""), operator, expr.get("values") or []))
    return Selector(parsed)


class _FieldRequirement:
    """`metadata.name In [x]` / `NotIn [x]` of a term's matchFields (one value each)."""

    __slots__ = ("equal", "key", "value")

    def __init__(self, key: str, value: str, equal: bool) -> None:
        self.key, self.value, self.equal = key, value, equal

    def matches(self, node_name: str) -> bool:
        # fields.Set only holds metadata.name; any other field reads as "".
        actual = node_name if self.key == OBJECT_NAME_FIELD else ""
        return (actual == self.value) == self.equal


def _field_requirements(requirements: Sequence[Mapping[str, Any]]) -> list[_FieldRequirement]:
    parsed = []
    for expr in requirements:
        operator, values = expr.get("operator"), expr.get("values") or []
        if operator not in ("In", "NotIn"):
            raise SelectorError(f"{operator!r} is not a valid field selector operator")
        if len(values) != 1:
            raise SelectorError("matchFields values must have one element")
        parsed.append(_FieldRequirement(expr.get("key", ""), values[0], operator == "In"))
    return parsed


class NodeSelectorTerm:
    """One term: its matchExpressions and matchFields are ANDed."""

    __slots__ = ("fields", "labels")

    def __init__(self, term: Mapping[str, Any]) -> None:
        expressions = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        self.labels = node_selector_requirements_as_selector(expressions) if expressions else None
        self.fields = _field_requirements(fields) if fields else None

    def matches(self, labels: Mapping[str, str], node_name: str) -> bool:
        if self.labels is not None and not self.labels.matches(labels):
            return False
        return self.fields is None or all(f.matches(node_name) for f in self.fields)


def _is_empty_term(term: Mapping[str, Any] | None) -> bool:
    return not term or (not term.get("matchExpressions") and not term.get("matchFields"))


class NodeSelector:
    """v1.NodeSelector: terms are ORed. Empty terms and terms that fail to parse are
    dropped, and match nothing (upstream ignores such errors for compatibility)."""

    __slots__ = ("errors", "terms")

    def __init__(self, node_selector: Mapping[str, Any] | None) -> None:
        self.terms: list[NodeSelectorTerm] = []
        self.errors: list[str] = []
        for term in (node_selector or {}).get("nodeSelectorTerms") or ():
            if _is_empty_term(term):
                continue
            try:
                self.terms.append(NodeSelectorTerm(term))
            except SelectorError as err:
                self.errors.append(str(err))

    def matches(self, node: Mapping[str, Any]) -> bool:
        """Whether the Node object satisfies any term."""
        metadata = node.get("metadata") or {}
        return self.matches_labels(metadata.get("labels") or {}, metadata.get("name", ""))

    def matches_labels(self, labels: Mapping[str, str], node_name: str) -> bool:
        """Whether a node with these labels and this name satisfies any term."""
        return any(term.matches(labels, node_name) for term in self.terms)


class PreferredSchedulingTerms:
    """preferredDuringSchedulingIgnoredDuringExecution: the score is the sum of the
    weights of the matching terms (weight-0 and empty terms are skipped)."""

    __slots__ = ("terms",)

    def __init__(self, terms: Iterable[Mapping[str, Any]] | None) -> None:
        self.terms: list[tuple[int, NodeSelectorTerm]] = []
        for term in terms or ():
            weight = int(term.get("weight") or 0)
            preference = term.get("preference")
            if weight == 0 or _is_empty_term(preference):
                continue
            try:
                self.terms.append((weight, NodeSelectorTerm(preference)))
            except SelectorError:
                # unverified: upstream fails the whole PreScore on a parse error; API
                # validation makes that unreachable, so a bad term is simply ignored here.
                continue

    def score(self, labels: Mapping[str, str], node_name: str) -> int:
        """Sum of the weights of the terms this node matches."""
        return sum(w for w, term in self.terms if term.matches(labels, node_name))
