"""Parse the POSIX shell subset that Kubernetes examples use into a small syntax tree.

The grammar follows POSIX `sh` (and busybox ash, which most example images run): lists
with `;`, `&`, `&&`, `||` and newlines; pipelines; `if`, `while`, `until`, `for`, `case`,
`{ }`, `( )` and function definitions; redirections including here-documents; single,
double and backslash quoting; `$VAR`, `${VAR...}`, `$(...)`, backquotes and `$((...))`.
Syntax errors carry ash's token names so the interpreter can print ash's message.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field

# -- the syntax tree -------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """Literal text; quoted text is never field-split."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Param:
    """A parameter expansion: `$name`, `${name}`, `${name:-arg}`, `${#name}`, ..."""

    name: str
    op: str = ""
    arg: Word | None = None
    quoted: bool = False


@dataclass(frozen=True)
class CmdSub:
    """Command substitution, `$(...)` or backquotes."""

    body: Sequence
    quoted: bool = False


@dataclass(frozen=True)
class Arith:
    """Arithmetic expansion `$((...))`; the expression is expanded, then evaluated."""

    expr: Word
    quoted: bool = False


Part = Lit | Param | CmdSub | Arith


@dataclass(frozen=True)
class Word:
    parts: tuple[Part, ...]
    raw: str

    @property
    def is_plain(self) -> bool:
        """True when the word is unquoted literal text (so it can be a keyword)."""
        return all(isinstance(p, Lit) and not p.quoted for p in self.parts)


@dataclass(frozen=True)
class Redir:
    fd: int
    op: str  # one of > >> < >& <& <<
    target: Word


@dataclass(frozen=True)
class SimpleCommand:
    assigns: tuple[tuple[str, Word], ...]
    words: tuple[Word, ...]
    redirs: tuple[Redir, ...]
    line: int


@dataclass(frozen=True)
class Pipeline:
    commands: tuple[Command, ...]
    negate: bool = False


@dataclass(frozen=True)
class AndOr:
    first: Pipeline
    rest: tuple[tuple[str, Pipeline], ...] = ()


@dataclass(frozen=True)
class Sequence:
    """A list of and-or lists; each item is (and_or, run_in_background)."""

    items: tuple[tuple[AndOr, bool], ...] = ()


@dataclass(frozen=True)
class If:
    branches: tuple[tuple[Sequence, Sequence], ...]
    else_body: Sequence | None
    redirs: tuple[Redir, ...] = ()


@dataclass(frozen=True)
class Loop:
    cond: Sequence
    body: Sequence
    until: bool = False
    redirs: tuple[Redir, ...] = ()


@dataclass(frozen=True)
class For:
    var: str
    items: tuple[Word, ...] | None
    body: Sequence
    redirs: tuple[Redir, ...] = ()


@dataclass(frozen=True)
class Case:
    word: Word
    arms: tuple[tuple[tuple[Word, ...], Sequence], ...]
    redirs: tuple[Redir, ...] = ()


@dataclass(frozen=True)
class Group:
    body: Sequence
    subshell: bool = False
    redirs: tuple[Redir, ...] = ()


@dataclass(frozen=True)
class FuncDef:
    name: str
    body: Command


Command = SimpleCommand | If | Loop | For | Case | Group | FuncDef


class ShellSyntaxError(Exception):
    """A parse error; `token` and `expecting` use ash's token names (`"fi"`, `end of file`)."""

    def __init__(self, token: str, expecting: str | None = None, line: int = 1) -> None:
        self.token = token
        self.expecting = expecting
        self.line = line
        super().__init__(self.ash_text())

    def ash_text(self) -> str:
        if self.token == "unterminated quoted string" or self.token == "bad substitution":
            return f"syntax error: {self.token}"
        text = f"syntax error: unexpected {self.token}"
        if self.expecting:
            text += f" (expecting {self.expecting})"
        return text


# -- tokens ----------------------------------------------------------------------------

_KEYWORDS = frozenset(
    {"!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then"}
    | {"until", "while", "{", "}"}
)
_OPERATORS = ("&&", "||", ";;", "<<-", "<<", ">>", ">&", "<&", ">|", "&>", ";", "&", "|")
_OPERATORS += ("(", ")", "<", ">")
_METACHARS = frozenset(" \t\n;&|()<>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_SPECIAL_PARAMS = frozenset("?$!#@*-0123456789")
_IO_NUMBER = re.compile(r"\d+(?=[<>])")
_PARAM_OP = re.compile(r":?[-=+?]|%%|##|%|#")
_FUNCDEF_PARENS = re.compile(r"[ \t]*\([ \t]*\)")


@dataclass
class _Token:
    kind: str  # word, op, newline, eof
    text: str
    word: Word | None = None
    line: int = 1
    fd: int | None = None  # an IO_NUMBER written before a redirection operator


def _quote_token(tok: _Token) -> str:
    """Ash's name for a token in an error message."""
    if tok.kind == "eof":
        return "end of file"
    if tok.kind == "newline":
        return "newline"
    if tok.kind == "op" and tok.text in {"<", ">", ">>", "<<", "<<-", ">&", "<&", ">|", "&>"}:
        return "redirection"
    if tok.kind == "word" and not (tok.word and tok.word.is_plain and tok.text in _KEYWORDS):
        return "word"
    return f'"{tok.text}"'


# -- the parser ------------------------------------------------------------------------


@dataclass
class _HereDoc:
    delimiter: str
    strip_tabs: bool
    expand: bool
    body: list[Word] = field(default_factory=list)


class Parser:
    """Recursive-descent parser over the source text (lexing happens on demand)."""

    def __init__(self, source: str, line: int = 1) -> None:
        self.src = source
        self.pos = 0
        self.line = line
        self._peeked: _Token | None = None
        self._heredocs: list[_HereDoc] = []

    # -- entry point --------------------------------------------------------------------
    def parse(self) -> Sequence:
        body = self.parse_sequence(frozenset())
        tok = self._peek()
        if tok.kind != "eof":
            raise ShellSyntaxError(_quote_token(tok), line=tok.line)
        return body

    # -- lists --------------------------------------------------------------------------
    def parse_sequence(self, stop: frozenset[str], closer: str | None = None) -> Sequence:
        """Parse and-or lists until a keyword in `stop`, `closer` (`)` or `;;`) or EOF."""
        items: list[tuple[AndOr, bool]] = []
        while True:
            self._skip_newlines()
            tok = self._peek()
            if tok.kind == "eof" or self._is_keyword(tok, stop):
                break
            if tok.kind == "op" and tok.text in {")", ";;"}:
                break
            and_or = self._and_or()
            tok = self._peek()
            background = tok.kind == "op" and tok.text == "&"
            items.append((and_or, background))
            if tok.kind == "op" and tok.text in {";", "&"}:
                self._next()
                continue
            if tok.kind == "newline":
                continue
            break
        return Sequence(tuple(items))

    def _and_or(self) -> AndOr:
        first = self._pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while (tok := self._peek()).kind == "op" and tok.text in {"&&", "||"}:
            self._next()
            self._skip_newlines()
            rest.append((tok.text, self._pipeline()))
        return AndOr(first, tuple(rest))

    def _pipeline(self) -> Pipeline:
        negate = False
        if self._is_keyword(self._peek(), {"!"}):
            self._next()
            negate = True
        commands = [self._command()]
        while (tok := self._peek()).kind == "op" and tok.text == "|":
            self._next()
            self._skip_newlines()
            commands.append(self._command())
        return Pipeline(tuple(commands), negate)

    # -- commands -----------------------------------------------------------------------
    def _command(self) -> Command:
        tok = self._peek()
        if tok.kind == "word" and tok.word is not None and tok.word.is_plain:
            compound = {
                "if": self._if,
                "while": self._loop,
                "until": self._loop,
                "for": self._for,
                "case": self._case,
                "{": self._brace_group,
            }.get(tok.text)
            if compound is not None:
                node = compound()
                return self._with_redirs(node)
            if tok.text in _KEYWORDS:
                raise ShellSyntaxError(_quote_token(tok), line=tok.line)
            if self._looks_like_funcdef(tok.text):
                return self._funcdef()
        if tok.kind == "op" and tok.text == "(":
            self._next()
            body = self.parse_sequence(frozenset(), ")")
            self._expect_op(")")
            return self._with_redirs(Group(body, subshell=True))
        return self._simple_command()

    def _simple_command(self) -> SimpleCommand:
        line = self._peek().line
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirs: list[Redir] = []
        while True:
            tok = self._peek()
            if tok.kind == "op" and self._is_redirection(tok):
                redirs.append(self._redirection())
                continue
            if tok.kind != "word" or tok.word is None:
                break
            if not words and (match := _ASSIGNMENT.match(tok.text)):
                value = self._assignment_value(tok.word, len(match.group(0)))
                if value is not None:
                    self._next()
                    assigns.append((match.group(1), value))
                    continue
            self._next()
            words.append(tok.word)
        if not assigns and not words and not redirs:
            tok = self._peek()
            raise ShellSyntaxError(_quote_token(tok), line=tok.line)
        return SimpleCommand(tuple(assigns), tuple(words), tuple(redirs), line)

    def _if(self) -> If:
        self._next()
        branches = []
        cond = self.parse_sequence(frozenset({"then"}))
        self._expect_keyword("then")
        body = self.parse_sequence(frozenset({"elif", "else", "fi"}))
        self._require_nonempty(body)
        branches.append((cond, body))
        else_body = None
        while True:
            tok = self._next()
            if self._is_keyword(tok, {"elif"}):
                cond = self.parse_sequence(frozenset({"then"}))
                self._expect_keyword("then")
                body = self.parse_sequence(frozenset({"elif", "else", "fi"}))
                self._require_nonempty(body)
                branches.append((cond, body))
                continue
            if self._is_keyword(tok, {"else"}):
                else_body = self.parse_sequence(frozenset({"fi"}))
                self._require_nonempty(else_body)
                self._expect_keyword("fi")
                break
            if self._is_keyword(tok, {"fi"}):
                break
            raise ShellSyntaxError(_quote_token(tok), '"fi"', line=tok.line)
        return If(tuple(branches), else_body)

    def _loop(self) -> Loop:
        until = self._next().text == "until"
        cond = self.parse_sequence(frozenset({"do"}))
        self._expect_keyword("do")
        body = self.parse_sequence(frozenset({"done"}))
        self._require_nonempty(body)
        self._expect_keyword("done")
        return Loop(cond, body, until)

    def _for(self) -> For:
        self._next()
        tok = self._next()
        if tok.kind != "word" or not _NAME.fullmatch(tok.text):
            raise ShellSyntaxError(_quote_token(tok), line=tok.line)
        var = tok.text
        items: tuple[Word, ...] | None = None
        self._skip_newlines()
        tok = self._peek()
        if self._is_keyword(tok, {"in"}):
            self._next()
            words = []
            while (tok := self._peek()).kind == "word" and tok.word is not None:
                self._next()
                words.append(tok.word)
            items = tuple(words)
            tok = self._next()
            if not (tok.kind == "newline" or (tok.kind == "op" and tok.text == ";")):
                raise ShellSyntaxError(_quote_token(tok), line=tok.line)
        elif tok.kind == "op" and tok.text == ";":
            self._next()
        self._skip_newlines()
        self._expect_keyword("do")
        body = self.parse_sequence(frozenset({"done"}))
        self._require_nonempty(body)
        self._expect_keyword("done")
        return For(var, items, body)

    def _case(self) -> Case:
        self._next()
        tok = self._next()
        if tok.kind != "word" or tok.word is None:
            raise ShellSyntaxError(_quote_token(tok), "word", line=tok.line)
        subject = tok.word
        self._skip_newlines()
        self._expect_keyword("in")
        arms = []
        while True:
            self._skip_newlines()
            tok = self._peek()
            if self._is_keyword(tok, {"esac"}):
                self._next()
                break
            if tok.kind == "op" and tok.text == "(":
                self._next()
            patterns = []
            while True:
                tok = self._next()
                if tok.kind != "word" or tok.word is None:
                    raise ShellSyntaxError(_quote_token(tok), "word", line=tok.line)
                patterns.append(tok.word)
                tok = self._next()
                if tok.kind == "op" and tok.text == "|":
                    continue
                if tok.kind == "op" and tok.text == ")":
                    break
                raise ShellSyntaxError(_quote_token(tok), '")"', line=tok.line)
            body = self.parse_sequence(frozenset({"esac"}), ";;")
            arms.append((tuple(patterns), body))
            tok = self._peek()
            if tok.kind == "op" and tok.text == ";;":
                self._next()
                continue
            self._expect_keyword("esac")
            break
        return Case(subject, tuple(arms))

    def _brace_group(self) -> Group:
        self._next()
        body = self.parse_sequence(frozenset({"}"}))
        self._require_nonempty(body)
        self._expect_keyword("}")
        return Group(body)

    def _looks_like_funcdef(self, name: str) -> bool:
        if not _NAME.fullmatch(name):
            return False
        rest = self.src[self.pos :]
        return _FUNCDEF_PARENS.match(rest) is not None

    def _funcdef(self) -> FuncDef:
        name = self._next().text
        self._expect_op("(")
        self._expect_op(")")
        self._skip_newlines()
        return FuncDef(name, self._command())

    def _with_redirs(self, node: Command) -> Command:
        redirs = []
        while (tok := self._peek()).kind == "op" and self._is_redirection(tok):
            redirs.append(self._redirection())
        if not redirs:
            return node
        return dataclasses.replace(node, redirs=tuple(redirs))  # type: ignore[call-arg]

    # -- redirections -------------------------------------------------------------------
    @staticmethod
    def _is_redirection(tok: _Token) -> bool:
        return tok.text in {"<", ">", ">>", "<<", "<<-", ">&", "<&", ">|", "&>"}

    def _redirection(self) -> Redir:
        tok = self._next()
        op = ">" if tok.text == ">|" else tok.text
        target_tok = self._next()
        if target_tok.kind != "word" or target_tok.word is None:
            raise ShellSyntaxError(_quote_token(target_tok), line=target_tok.line)
        if op in {"<<", "<<-"}:
            doc = _HereDoc(
                delimiter=_unquote(target_tok.text),
                strip_tabs=op == "<<-",
                expand=target_tok.word.is_plain,
            )
            self._heredocs.append(doc)
            return _HereDocRedir(0, "<<", target_tok.word, doc)
        default_fd = 0 if op in {"<", "<&"} else 1
        fd = tok.fd if tok.fd is not None else default_fd
        return Redir(fd, op, target_tok.word)

    # -- token helpers ------------------------------------------------------------------
    def _is_keyword(self, tok: _Token, names: set[str] | frozenset[str]) -> bool:
        return (
            tok.kind == "word" and tok.word is not None and tok.word.is_plain and tok.text in names
        )

    def _expect_keyword(self, name: str) -> None:
        tok = self._next()
        if not self._is_keyword(tok, {name}):
            raise ShellSyntaxError(_quote_token(tok), f'"{name}"', line=tok.line)

    def _expect_op(self, text: str) -> None:
        tok = self._next()
        if not (tok.kind == "op" and tok.text == text):
            raise ShellSyntaxError(_quote_token(tok), f'"{text}"', line=tok.line)

    def _require_nonempty(self, body: Sequence) -> None:
        # An empty body before a keyword is an error about that keyword; at the end of
        # the input the caller's "expecting" error is the one ash prints.
        tok = self._peek()
        if not body.items and tok.kind != "eof":
            raise ShellSyntaxError(_quote_token(tok), line=tok.line)

    def _skip_newlines(self) -> None:
        while self._peek().kind == "newline":
            self._next()

    def _peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = self._lex()
        return self._peeked

    def _next(self) -> _Token:
        tok = self._peek()
        self._peeked = None
        return tok

    def _assignment_value(self, word: Word, prefix_len: int) -> Word | None:
        """The value of `NAME=value` when the name part is unquoted literal text."""
        first = word.parts[0] if word.parts else None
        if not isinstance(first, Lit) or first.quoted or len(first.text) < prefix_len:
            return None
        rest = first.text[prefix_len:]
        parts = ((Lit(rest),) if rest else ()) + word.parts[1:]
        return Word(parts, word.raw[prefix_len:])

    # -- the lexer ----------------------------------------------------------------------
    def _lex(self) -> _Token:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch in " \t":
                self.pos += 1
            elif ch == "\\" and src.startswith("\\\n", self.pos):
                self.pos += 2
                self.line += 1
            elif ch == "#":
                while self.pos < len(src) and src[self.pos] != "\n":
                    self.pos += 1
            else:
                break
        if self.pos >= len(src):
            return _Token("eof", "", line=self.line)
        ch = src[self.pos]
        line = self.line
        if ch == "\n":
            self.pos += 1
            self.line += 1
            self._read_heredocs()
            return _Token("newline", "\n", line=line)
        io_number = _IO_NUMBER.match(src, self.pos)
        fd = None
        if io_number:
            fd = int(io_number.group(0))
            self.pos += len(io_number.group(0))
        for op in _OPERATORS:
            if src.startswith(op, self.pos):
                self.pos += len(op)
                return _Token("op", op, line=line, fd=fd)
        start = self.pos
        word = self._read_word(stop=_METACHARS)
        return _Token("word", src[start : self.pos], word, line)

    def _read_word(self, stop: frozenset[str] | set[str], quoted: bool = False) -> Word:
        """Read one word up to an unquoted character in `stop`."""
        src = self.src
        start = self.pos
        parts: list[Part] = []
        buf: list[str] = []

        def flush(as_quoted: bool = quoted) -> None:
            if buf:
                parts.append(Lit("".join(buf), as_quoted))
                buf.clear()

        while self.pos < len(src):
            ch = src[self.pos]
            if ch in stop:
                break
            if ch == "\\":
                nxt = src[self.pos + 1 : self.pos + 2]
                if nxt == "\n":
                    self.pos += 2
                    self.line += 1
                    continue
                if quoted and nxt not in {"$", "`", '"', "\\"}:
                    buf.append("\\")
                    self.pos += 1
                    continue
                flush()
                parts.append(Lit(nxt, True))
                self.pos += 2
                continue
            if ch == "'" and not quoted:
                flush()
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise ShellSyntaxError("unterminated quoted string", line=self.line)
                text = src[self.pos + 1 : end]
                self.line += text.count("\n")
                parts.append(Lit(text, True))
                self.pos = end + 1
                continue
            if ch == '"' and not quoted:
                flush()
                self.pos += 1
                inner = self._read_word(stop={'"'}, quoted=True)
                if self.pos >= len(src):
                    raise ShellSyntaxError("unterminated quoted string", line=self.line)
                self.pos += 1
                parts.extend(inner.parts or (Lit("", True),))
                continue
            if ch == "$":
                flush()
                parts.append(self._read_dollar(quoted))
                continue
            if ch == "`":
                flush()
                parts.append(self._read_backquote(quoted))
                continue
            if ch == "\n":
                self.line += 1
            buf.append(ch)
            self.pos += 1
        flush()
        return Word(tuple(parts), src[start : self.pos])

    def _read_dollar(self, quoted: bool) -> Part:
        src = self.src
        nxt = src[self.pos + 1 : self.pos + 2]
        if src.startswith("$((", self.pos):
            end = _find_arith_end(src, self.pos + 3)
            if end < 0:
                raise ShellSyntaxError("end of file", '"))"', line=self.line)
            inner = Parser(src[self.pos + 3 : end], self.line)
            expr = inner._read_word(stop=set(), quoted=True)
            self.pos = end + 2
            return Arith(expr, quoted)
        if nxt == "(":
            self.pos += 2
            body = self.parse_sequence(frozenset(), ")")
            tok = self._next()
            if not (tok.kind == "op" and tok.text == ")"):
                raise ShellSyntaxError(_quote_token(tok), '")"', line=tok.line)
            return CmdSub(body, quoted)
        if nxt == "{":
            return self._read_braced_param(quoted)
        if nxt and nxt in _SPECIAL_PARAMS:
            self.pos += 2
            return Param(nxt, quoted=quoted)
        match = _NAME.match(src, self.pos + 1)
        if match:
            self.pos = match.end()
            return Param(match.group(0), quoted=quoted)
        self.pos += 1
        return Lit("$", quoted)

    def _read_braced_param(self, quoted: bool) -> Param:
        src = self.src
        self.pos += 2
        length = src.startswith("#", self.pos) and not src.startswith("#}", self.pos)
        if length:
            self.pos += 1
        match = _NAME.match(src, self.pos)
        if match:
            name = match.group(0)
            self.pos = match.end()
        elif self.pos < len(src) and src[self.pos] in _SPECIAL_PARAMS:
            name = src[self.pos]
            self.pos += 1
        else:
            raise ShellSyntaxError("bad substitution", line=self.line)
        if length:
            if not src.startswith("}", self.pos):
                raise ShellSyntaxError("bad substitution", line=self.line)
            self.pos += 1
            return Param(name, "#len", quoted=quoted)
        op_match = _PARAM_OP.match(src, self.pos)
        op = ""
        arg = None
        if op_match:
            op = op_match.group(0)
            self.pos += len(op)
            arg = self._read_word(stop={"}"}, quoted=quoted)
        if not src.startswith("}", self.pos):
            raise ShellSyntaxError("bad substitution", line=self.line)
        self.pos += 1
        return Param(name, op, arg, quoted)

    def _read_backquote(self, quoted: bool) -> CmdSub:
        src = self.src
        i = self.pos + 1
        text: list[str] = []
        while i < len(src) and src[i] != "`":
            if src[i] == "\\" and i + 1 < len(src) and src[i + 1] in "`\\$":
                text.append(src[i + 1])
                i += 2
                continue
            text.append(src[i])
            i += 1
        if i >= len(src):
            raise ShellSyntaxError("unterminated quoted string", line=self.line)
        self.pos = i + 1
        inner = "".join(text)
        body = Parser(inner, self.line).parse()
        self.line += inner.count("\n")
        return CmdSub(body, quoted)

    def _read_heredocs(self) -> None:
        """After a newline, read the bodies of here-documents started on that line."""
        pending, self._heredocs = self._heredocs, []
        for doc in pending:
            lines = []
            while True:
                if self.pos >= len(self.src):
                    break
                end = self.src.find("\n", self.pos)
                end = len(self.src) if end < 0 else end
                text = self.src[self.pos : end]
                self.pos = min(end + 1, len(self.src))
                self.line += 1
                if doc.strip_tabs:
                    text = text.lstrip("\t")
                if text == doc.delimiter:
                    break
                lines.append(text + "\n")
            body = "".join(lines)
            if doc.expand:
                word = Parser(body, self.line)._read_word(stop=set(), quoted=True)
            else:
                word = Word((Lit(body, True),), body)
            doc.body.append(word)


@dataclass(frozen=True)
class _HereDocRedir(Redir):
    """A `<<` redirection; its body is filled in when the lexer reaches the next line."""

    doc: _HereDoc = field(default_factory=lambda: _HereDoc("", False, False), compare=False)

    @property
    def body(self) -> Word:
        return self.doc.body[0] if self.doc.body else Word((), "")


def _find_arith_end(src: str, start: int) -> int:
    """Index of the `))` closing a `$((` whose contents start at `start`."""
    depth = 0
    i = start
    while i < len(src):
        ch = src[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0 and src.startswith("))", i):
                return i
            depth -= 1
        i += 1
    return -1


def _unquote(text: str) -> str:
    return re.sub(r"""\\(.)|['"]""", lambda m: m.group(1) or "", text)


@functools.lru_cache(maxsize=1024)
def parse(source: str) -> Sequence:
    """Parse a script (the text after `sh -c`).

    Trees are immutable, so one parse serves every container that runs the same script.
    """
    return Parser(source).parse()


HereDocRedir = _HereDocRedir
