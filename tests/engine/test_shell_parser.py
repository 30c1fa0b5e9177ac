"""Parsing the POSIX shell subset Kubernetes examples use; syntax errors in ash's words."""

from __future__ import annotations

import pytest

from engine.shell.parser import (
    Arith,
    Case,
    CmdSub,
    For,
    FuncDef,
    Group,
    HereDocRedir,
    If,
    Lit,
    Loop,
    Param,
    ShellSyntaxError,
    SimpleCommand,
    parse,
)


def first_command(source: str) -> object:
    tree = parse(source)
    return tree.items[0][0].first.commands[0]


@pytest.mark.parametrize(
    ("source", "node_type"),
    [
        ("echo hi", SimpleCommand),
        ("if true; then echo a; elif false; then :; else echo b; fi", If),
        ("while true; do sleep 1; done", Loop),
        ("until [ -f /tmp/x ]; do sleep 1; done", Loop),
        ("for x in a b c; do echo $x; done", For),
        ("case $x in a|b) echo ab;; *) echo other;; esac", Case),
        ("{ echo a; echo b; }", Group),
        ("(cd /tmp && ls)", Group),
        ("f() { echo in f; }", FuncDef),
    ],
)
def test_each_construct_parses_to_its_node(source: str, node_type: type) -> None:
    assert isinstance(first_command(source), node_type)


def test_lists_split_on_semicolons_newlines_and_ampersands() -> None:
    tree = parse("touch /tmp/healthy; sleep 30\nrm -f /tmp/healthy &\nsleep 600")
    assert [background for _, background in tree.items] == [False, False, True, False]


def test_and_or_lists_keep_their_operators() -> None:
    and_or = parse("test -f /x && echo yes || echo no").items[0][0]
    assert [op for op, _ in and_or.rest] == ["&&", "||"]


def test_pipelines_and_negation() -> None:
    pipeline = parse("! cat /x | grep y").items[0][0].first
    assert pipeline.negate and len(pipeline.commands) == 2


def test_single_quotes_are_literal() -> None:
    word = first_command("echo '$HOME \\n'").words[1]
    assert word.parts == (Lit("$HOME \\n", quoted=True),)


def test_double_quotes_expand_parameters_but_keep_spaces() -> None:
    word = first_command('echo "x $HOME ${A:-d e}"').words[1]
    assert [type(p) for p in word.parts] == [Lit, Param, Lit, Param]
    assert word.parts[3].op == ":-" and word.parts[3].arg.parts == (Lit("d e", quoted=True),)


def test_backslash_quotes_the_next_character() -> None:
    word = first_command("echo a\\ b").words[1]
    assert "".join(p.text for p in word.parts) == "a b"


def test_command_substitution_backquotes_and_arithmetic() -> None:
    words = first_command("echo $(date) `hostname` $((1+2))").words
    assert isinstance(words[1].parts[0], CmdSub)
    assert isinstance(words[2].parts[0], CmdSub)
    assert isinstance(words[3].parts[0], Arith)


def test_assignments_before_a_command_are_recognized() -> None:
    command = first_command('A=1 B="2 3" env')
    assert [name for name, _ in command.assigns] == ["A", "B"]
    assert [w.raw for w in command.words] == ["env"]


@pytest.mark.parametrize(
    ("source", "fd", "op", "target"),
    [
        ("echo hi > /tmp/f", 1, ">", "/tmp/f"),
        ("echo hi >> /tmp/f", 1, ">>", "/tmp/f"),
        ("cmd 2>&1", 2, ">&", "1"),
        ("cmd 2>/dev/null", 2, ">", "/dev/null"),
        ("cat < /etc/hosts", 0, "<", "/etc/hosts"),
        ("echo err >&2", 1, ">&", "2"),
    ],
)
def test_redirections_record_fd_operator_and_target(
    source: str, fd: int, op: str, target: str
) -> None:
    redir = first_command(source).redirs[0]
    assert (redir.fd, redir.op, redir.target.raw) == (fd, op, target)


def test_here_documents_are_read_after_the_line() -> None:
    command = first_command("cat <<EOF > /tmp/x\nline $A\nEOF\n")
    heredoc = command.redirs[0]
    assert isinstance(heredoc, HereDocRedir)
    assert heredoc.body.raw == "line $A\n"


def test_comments_are_ignored() -> None:
    tree = parse("# set up\necho hi # trailing\n")
    assert len(tree.items) == 1
    assert [w.raw for w in tree.items[0][0].first.commands[0].words] == ["echo", "hi"]


def test_keywords_are_plain_words_in_argument_position() -> None:
    assert [w.raw for w in first_command("echo done fi then").words] == [
        "echo",
        "done",
        "fi",
        "then",
    ]


def test_commands_remember_their_line_for_error_messages() -> None:
    tree = parse("echo one\n\necho three")
    assert tree.items[1][0].first.commands[0].line == 3


# busybox ash (shell/ash.c raise_error_unexpected_syntax, tokname_array).
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("if true; then echo", 'syntax error: unexpected end of file (expecting "fi")'),
        ("while true; do", 'syntax error: unexpected end of file (expecting "done")'),
        ("for x in a; do echo", 'syntax error: unexpected end of file (expecting "done")'),
        ('echo "abc', "syntax error: unterminated quoted string"),
        ("echo 'abc", "syntax error: unterminated quoted string"),
        ("fi", 'syntax error: unexpected "fi"'),
        ("if true; then fi", 'syntax error: unexpected "fi"'),
        ("echo hi )", 'syntax error: unexpected ")"'),
        ("echo ${", "syntax error: bad substitution"),
    ],
)
def test_syntax_errors_use_ash_token_names(source: str, message: str) -> None:
    with pytest.raises(ShellSyntaxError) as caught:
        parse(source)
    assert caught.value.ash_text() == message
