"""`kubectl edit` inside the console: the live object as YAML; saving updates it.

As with kubectl edit, lines starting with `#` are ignored, an empty or unchanged buffer
cancels, and a refused update keeps the editor open with the API server's reasons at the
top. The user's manifest files are never written.
"""

from __future__ import annotations

import copy

import yaml
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label, TextArea
from textual.widgets.text_area import Selection

from engine.api import errors
from engine.manifests.yamldoc import Problem, parse_documents
from engine.output import to_yaml
from engine.result import ActionResult
from podtui.app import plugins
from podtui.app.messages import Outcome
from podtui.app.resources import namespaced, plural, type_name
from podtui.app.session import Session

EDIT_HEADER = (
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
    "# reopened with the relevant failures.\n"
    "#\n"
)
CANCELLED = "Edit cancelled, no changes made."


def first_syntax_error(text: str) -> yaml.MarkedYAMLError | None:
    """The first syntax error of a YAML text, found by the event parser alone (which does
    not recurse, however deep the text nests), or None. PyYAML's own parser, whose words
    the editor has always shown (libyaml's differ)."""
    try:
        for _event in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as err:
        return err
    except yaml.YAMLError:
        return None  # a reader error (a control character): parse_documents names its line
    return None


def read_buffer(body: str, first_line: int) -> tuple[object, tuple[str, int | None, int] | None]:
    """The edited object, or the error to show: (message, 0-based editor line, column).

    The buffer is read as a manifest file is (engine.manifests.yamldoc): no recursion,
    bounded aliases, keys as strings. A plain syntax error keeps PyYAML's mark and context,
    which the event parser alone (it does not recurse) finds. `first_line` is the editor
    line the body starts on. Never raises.
    """
    syntax = first_syntax_error(body)
    if syntax is not None:
        return None, syntax_error(syntax, first_line)
    docs, problems = parse_documents(body, "edit")
    if not problems and len(docs) > 1:
        problems = [Problem("edit", docs[1].line, "expected a single document in the stream")]
    if problems:
        line = first_line + max(problems[0].line, 1) - 1
        # Problem's str escapes control characters: the message stays one line.
        return None, (str(Problem(f"line {line + 1}", 0, problems[0].message)), line, 0)
    return (docs[0].data if docs else None), None


def strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def syntax_error(err: yaml.YAMLError, first_line: int) -> tuple[str, int | None, int]:
    """PyYAML's error as one readable sentence, and where it is (0-based line, column).

    `first_line` is where the parsed text starts in the editor, so the line named is the
    line as the editor numbers it. PyYAML's own text repeats the line with a `^` under
    the column, which only makes sense in a fixed-width block; here the cursor shows it.
    """
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    problem = " ".join(problem.split())
    mark = getattr(err, "problem_mark", None)
    context = getattr(err, "context", None)
    context_mark = getattr(err, "context_mark", None)
    if mark is None:
        return problem, None, 0
    line = first_line + mark.line
    message = f"line {line + 1}, column {mark.column + 1}: {problem}"
    if context:
        where = ""
        if context_mark is not None and context_mark.line != mark.line:
            where = f" that starts on line {first_line + context_mark.line + 1}"
        message += f" ({context}{where})"
    return message, line, mark.column


class EditScreen(Screen):
    """Edit one live object; ctrl+s saves (applies it), escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save"),
        # A priority binding: the text area's tab behaviour ("indent") would otherwise turn
        # esc into "focus the next widget", and the following keys would be typed nowhere.
        Binding("escape", "cancel", "Cancel", id="edit.cancel", priority=True),
    ]

    def __init__(self, session: Session, kind: str, namespace: str, name: str) -> None:
        super().__init__()
        self.session = session
        self.kind = kind
        self.namespace = namespace if namespaced(kind) else ""
        self.object_name = name
        self.original: dict | None = None
        self._shown = ""
        """The buffer as last shown (opened or reopened): esc asks first once it differs."""

    def compose(self) -> ComposeResult:
        yield Label(
            f"edit {self.kind.lower()}/{self.object_name}  —  ctrl+s save · esc cancel",
            id="edit-title",
            markup=False,
        )
        yield TextArea("", id="editor", show_line_numbers=True, tab_behavior="indent")
        yield Footer()

    def on_mount(self) -> None:
        with self.session.lock:
            obj = self.session.get(self.kind, self.namespace, self.object_name)
            self.original = copy.deepcopy(obj) if obj is not None else None
        if self.original is None:
            self._finish([], [self._not_found()])
            return
        editor = self.query_one(TextArea)
        editor.text = EDIT_HEADER + to_yaml(self.original)
        self._shown = editor.text
        editor.focus()

    def _not_found(self) -> str:
        from engine.api.kinds import kind_info

        info = kind_info(self.kind)
        resource = info.resource if info else plural(self.kind)
        return errors.not_found(resource, self.object_name).kubectl()

    def _finish(self, lines: list[str], problems: list[str]) -> None:
        self.app.post_message(Outcome(lines, problems))
        self.dismiss()

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self._shown:
            self._finish([CANCELLED], [])
            return
        from podtui.app.screens.dialogs import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self._finish([CANCELLED], [])

        self.app.push_screen(
            ConfirmDialog(
                f"Discard your changes to {self.kind.lower()}/{self.object_name}?",
                "Nothing is saved; the live object stays as it is.",
                confirm_label="Discard",
            ),
            answered,
        )

    def _reopen(self, text: str, header: list[str]) -> None:
        body = strip_comments(text)
        editor = self.query_one(TextArea)
        editor.text = EDIT_HEADER + "".join(f"# {line}\n" for line in header) + "#\n" + body + "\n"
        self._shown = editor.text

    def _body_start(self, header_lines: int) -> int:
        """The 0-based editor line where the body starts once reopened with a header."""
        return EDIT_HEADER.count("\n") + header_lines + 1

    def _syntax_error(self, text: str, message: str, line: int | None, column: int) -> None:
        """Reopen with the parser's message; the line it names is the editor's line."""
        self._reopen(text, [f"The edited file had a syntax error: {message}"])
        editor = self.query_one(TextArea)
        if line is not None and line < editor.document.line_count:
            editor.selection = Selection.cursor((line, column))
            editor.scroll_cursor_visible(center=True)
        self.notify(f"error: {message}", severity="error", markup=False)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        body = strip_comments(text)
        if not body.strip():
            self._finish([CANCELLED], [])
            return
        # The header is one line, so the body starts at a known line in the reopened buffer.
        edited, error = read_buffer(body, self._body_start(1))
        if error is not None:
            self._syntax_error(text, *error)
            return
        if not isinstance(edited, dict):
            self._reopen(text, ["The edited file is not an object"])
            return
        original = self.original or {}
        if edited == original:
            self._finish([CANCELLED], [])
            return
        meta = edited.get("metadata") or {}
        if (
            edited.get("kind") != original.get("kind")
            or meta.get("name") != original["metadata"].get("name")
            or edited.get("apiVersion", "").split("/")[0]
            != original.get("apiVersion", "").split("/")[0]
        ):
            message = "error: At least one of apiVersion, kind and name was changed"
            self._reopen(text, [message])
            self.notify(message, severity="error")
            return
        session = self.session

        def saved(result: ActionResult) -> None:
            if result.errors:
                line = result.errors[0]
                # kubectl edit reopens the buffer with the server's reason on top.
                reason = line.split("): ", 1)[1] if line.startswith("Error from server (") else line
                header = [f'{plural(self.kind)} "{self.object_name}" was not valid:', f"* {reason}"]
                self._reopen(text, header)
                self.notify(line, severity="error", markup=False)
                return
            if any(line.endswith(" edited") for line in result.lines):
                with session.lock:
                    plugins.record_edit(session, edited)
                where = f" -n {self.namespace}" if self.namespace else ""
                plugins.note_step(session, f"edit {type_name(self.kind)}/{self.object_name}{where}")
            self._finish(list(result.lines), [])

        result = session.call(session.backend.replace(edited), saved)
        if session.backend.inline:
            saved(result)
