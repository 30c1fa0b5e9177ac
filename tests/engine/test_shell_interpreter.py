"""The shell interpreter: what scripts print, wait for and exit with, in simulated time."""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from engine.shell.fs import Filesystem
from engine.shell.interpreter import BUSYBOX, DEBIAN, BaseHost, Flavor, Shell


class FakeServer:
    """A program that runs until killed, like nginx in the foreground."""

    daemonizes = False

    def run(self) -> Generator[float, None, int]:
        yield math.inf
        return 0


class RecordingHost(BaseHost):
    def __init__(self, now: datetime | None = None, programs: set[str] | None = None) -> None:
        self.out: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.execed: list[object] = []
        self._now = now
        self.programs = programs or set()

    def output(self, stream: str, text: str) -> None:
        self.out.append((stream, text))

    def note_assumed(self, command: str) -> None:
        self.notes.append(command)

    def resolve(self, argv: list[str], main: bool) -> FakeServer | None:
        return FakeServer() if argv[0] in self.programs else None

    def exec_program(self, program: object) -> None:
        self.execed.append(program)

    def now(self) -> datetime | None:
        return self._now


@dataclass
class Run:
    status: int | None  # None: still running after the waits
    waits: list[float]
    host: RecordingHost
    fs: Filesystem
    shell: Shell
    gen: Generator = field(repr=False)

    @property
    def stdout(self) -> str:
        return "".join(text for stream, text in self.host.out if stream == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(text for stream, text in self.host.out if stream == "stderr")


def run(
    script: str,
    *,
    argv0: str = "sh",
    flavor: Flavor = BUSYBOX,
    env: dict[str, str] | None = None,
    pid1: bool = True,
    max_waits: int = 20,
    host: RecordingHost | None = None,
    fs: Filesystem | None = None,
) -> Run:
    host = host or RecordingHost()
    fs = fs or Filesystem()
    shell = Shell(fs, env or {"HOME": "/root"}, host, argv0=argv0, flavor=flavor, pid1=pid1)
    gen = shell.run_argv([argv0, "-c", script])
    waits: list[float] = []
    status = None
    try:
        wait = next(gen)
        while True:
            waits.append(wait.seconds)
            if math.isinf(wait.seconds) or len(waits) >= max_waits:
                break  # left suspended in this wait
            wait = gen.send(None)
    except StopIteration as stop:
        status = stop.value
    return Run(status, waits, host, fs, shell, gen)


class TestEcho:
    @pytest.mark.parametrize(
        ("script", "output"),
        [
            ("echo hello world", "hello world\n"),
            ("echo -n no newline", "no newline"),
            ("echo 'single  quoted  $HOME'", "single  quoted  $HOME\n"),
            ('echo "double $HOME"', "double /root\n"),
            ("echo ${HOME}/x", "/root/x\n"),
            ("echo [$UNSET]", "[]\n"),
            ('echo "${UNSET:-fallback}"', "fallback\n"),
            ("A=set; echo ${A:+alt} ${#A}", "alt 3\n"),
            ("F=archive.tar.gz; echo ${F%.gz} ${F%%.*} ${F#*.}", "archive.tar archive tar.gz\n"),
            ("echo a\\ \\ b", "a  b\n"),
            ("echo   spread    out", "spread out\n"),
            ('echo "$(echo sub)" `echo back`', "sub back\n"),
            ("echo $((2 + 3 * 4)) $((7 / 2)) $((-7 % 3))", "14 3 -1\n"),
        ],
    )
    def test_echo_prints_its_expanded_arguments(self, script: str, output: str) -> None:
        assert run(script).stdout == output

    def test_busybox_echo_needs_dash_e_for_escapes(self) -> None:
        assert run("echo 'a\\nb'; echo -e 'c\\nd'").stdout == "a\\nb\nc\nd\n"

    def test_dash_echo_always_interprets_escapes(self) -> None:
        assert run("echo 'a\\nb'", flavor=DEBIAN).stdout == "a\nb\n"

    def test_printf_formats_and_reuses_the_format(self) -> None:
        assert run("printf '%s=%d\\n' a 1 b 2").stdout == "a=1\nb=2\n"

    def test_env_variables_come_from_the_container(self) -> None:
        assert run("echo $GREETING", env={"GREETING": "hi"}).stdout == "hi\n"


class TestExitStatus:
    @pytest.mark.parametrize(
        ("script", "status"),
        [
            ("true", 0),
            ("false", 1),
            ("exit 3", 3),
            ("exit 256", 0),
            ("false; exit", 1),
            ("true && exit 4 || exit 5", 4),
            ("false && exit 4 || exit 5", 5),
            ("! true", 1),
            ("sh -c 'exit 7'; exit $?", 7),
        ],
    )
    def test_the_script_exits_with_the_status_it_says(self, script: str, status: int) -> None:
        assert run(script).status == status

    def test_dollar_question_is_the_last_status(self) -> None:
        assert run("false; echo $?; true; echo $?").stdout == "1\n0\n"

    @pytest.mark.parametrize(
        ("argv0", "flavor", "message"),
        [
            ("sh", BUSYBOX, "sh: exit: line 1: Illegal number: x\n"),
            ("/bin/sh", BUSYBOX, "/bin/sh: exit: line 1: Illegal number: x\n"),
            ("sh", DEBIAN, "sh: 1: exit: Illegal number: x\n"),
            ("bash", DEBIAN, "bash: line 1: exit: x: numeric argument required\n"),
        ],
    )
    def test_exit_with_a_non_number_is_an_error_in_the_shells_words(
        self, argv0: str, flavor: Flavor, message: str
    ) -> None:
        result = run("exit x", argv0=argv0, flavor=flavor)
        assert (result.status, result.stderr) == (2, message)

    def test_set_e_stops_at_the_first_failing_command(self) -> None:
        result = run("set -e; echo one; false; echo two")
        assert (result.status, result.stdout) == (1, "one\n")

    def test_set_e_does_not_stop_on_a_failing_condition(self) -> None:
        assert run("set -e; if false; then :; fi; false || echo ok").stdout == "ok\n"


class TestSleep:
    @pytest.mark.parametrize(
        ("argument", "seconds"),
        [
            ("1", 1.0),
            ("0.5", 0.5),
            ("5s", 5.0),
            ("1m", 60.0),
            ("2h", 7200.0),
            ("1d", 86400.0),
            ("1 30s", 31.0),
            ("infinity", math.inf),
            ("inf", math.inf),
        ],
    )
    def test_sleep_waits_in_simulated_time(self, argument: str, seconds: float) -> None:
        assert run(f"sleep {argument}").waits == [seconds]

    @pytest.mark.parametrize(
        ("flavor", "message"),
        [
            (BUSYBOX, "sleep: invalid number 'soon'\n"),
            (
                DEBIAN,
                "sleep: invalid time interval 'soon'\nTry 'sleep --help' for more information.\n",
            ),
        ],
    )
    def test_sleep_with_a_bad_duration_fails(self, flavor: Flavor, message: str) -> None:
        result = run("sleep soon", flavor=flavor)
        assert (result.status, result.stderr, result.waits) == (1, message, [])

    def test_sleeps_add_up_across_a_script(self) -> None:
        result = run("echo a; sleep 2; echo b; sleep 3; echo c")
        assert (result.waits, result.stdout, result.status) == ([2.0, 3.0], "a\nb\nc\n", 0)


class TestControlFlow:
    def test_if_elif_else_picks_the_first_true_branch(self) -> None:
        script = (
            "if [ -f /etc ]; then echo file; elif [ -d /etc ]; then echo dir; else echo none; fi"
        )
        assert run(script).stdout == "dir\n"

    def test_while_loop_with_a_counter(self) -> None:
        result = run('i=0; while [ "$i" -lt 3 ]; do i=$((i+1)); echo "n=$i"; done')
        assert result.stdout == "n=1\nn=2\nn=3\n"

    def test_until_loop_runs_until_the_condition_holds(self) -> None:
        assert run("i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i").stdout == "2\n"

    def test_for_loop_over_words_and_command_output(self) -> None:
        result = run("for x in a b c; do echo $x; done; for n in $(seq 2); do echo $n; done")
        assert result.stdout == "a\nb\nc\n1\n2\n"

    def test_break_and_continue(self) -> None:
        script = "for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done"
        assert run(script).stdout == "1\n3\n"

    def test_case_matches_glob_patterns(self) -> None:
        script = "for f in a.log b.txt c; do case $f in *.log) echo L;; *.txt|*.md) echo T;; *) echo O;; esac; done"
        assert run(script).stdout == "L\nT\nO\n"

    def test_functions_take_arguments_and_return_a_status(self) -> None:
        result = run('greet() { echo "hi $1 ($#)"; return 4; }; greet you me; echo $?')
        assert result.stdout == "hi you (2)\n4\n"

    def test_while_true_with_sleep_logs_on_schedule(self) -> None:
        result = run("while true; do echo tick; sleep 10; done", max_waits=3)
        assert result.waits == [10.0, 10.0, 10.0]
        assert result.stdout == "tick\n" * 3
        assert result.status is None

    def test_a_loop_that_never_sleeps_is_throttled_to_simulated_seconds(self) -> None:
        result = run("while true; do :; done", max_waits=2)
        assert result.waits == [1.0, 1.0]

    def test_subshells_do_not_change_the_parent(self) -> None:
        assert run("A=1; (A=2; cd /tmp; exit 3); echo $A $? $(pwd)").stdout == "1 3 /\n"

    def test_positional_parameters_of_sh_dash_c(self) -> None:
        host = RecordingHost()
        shell = Shell(Filesystem(), {}, host, pid1=True)
        gen = shell.run_argv(["sh", "-c", 'echo "$0 $# $1 $@"', "name", "x", "y"])
        with pytest.raises(StopIteration):
            next(gen)
        assert host.out == [("stdout", "name 2 x x y\n")]


class TestFiles:
    def test_touch_rm_mkdir_and_cat(self) -> None:
        result = run(
            "mkdir -p /data/sub && touch /data/sub/f && echo hi > /data/sub/g && cat /data/sub/g"
            " && rm -f /data/sub/f /data/sub/none && ls /data/sub"
        )
        assert result.stdout == "hi\ng\n"
        assert result.fs.is_dir("/data/sub") and not result.fs.exists("/data/sub/f")

    @pytest.mark.parametrize(
        ("flavor", "message"),
        [
            (BUSYBOX, "cat: can't open '/tmp/healthy': No such file or directory\n"),
            (DEBIAN, "cat: /tmp/healthy: No such file or directory\n"),
        ],
    )
    def test_cat_of_a_missing_file_fails_with_the_tools_message(
        self, flavor: Flavor, message: str
    ) -> None:
        result = run("cat /tmp/healthy", flavor=flavor)
        assert (result.status, result.stderr) == (1, message)

    @pytest.mark.parametrize(
        ("script", "flavor", "message"),
        [
            ("rm /tmp/none", BUSYBOX, "rm: can't remove '/tmp/none': No such file or directory\n"),
            ("rm /tmp/none", DEBIAN, "rm: cannot remove '/tmp/none': No such file or directory\n"),
            ("rm /tmp", BUSYBOX, "rm: '/tmp' is a directory\n"),
            ("mkdir /tmp", BUSYBOX, "mkdir: can't create directory '/tmp': File exists\n"),
            (
                "mkdir /a/b",
                DEBIAN,
                "mkdir: cannot create directory '/a/b': No such file or directory\n",
            ),
            ("touch /a/b", BUSYBOX, "touch: /a/b: No such file or directory\n"),
            ("touch /a/b", DEBIAN, "touch: cannot touch '/a/b': No such file or directory\n"),
        ],
    )
    def test_file_tool_errors(self, script: str, flavor: Flavor, message: str) -> None:
        result = run(script, flavor=flavor)
        assert (result.status, result.stderr) == (1, message)

    def test_rm_dash_f_of_a_missing_file_succeeds_quietly(self) -> None:
        result = run("rm -f /tmp/none")
        assert (result.status, result.stderr) == (0, "")

    @pytest.mark.parametrize(
        ("condition", "status"),
        [
            ("test -e /tmp", 0),
            ("test -e /nope", 1),
            ("test -f /etc", 1),
            ("test -d /etc", 0),
            ("[ -e /tmp ]", 0),
            ("[ ! -e /tmp ]", 1),
            ("[ -f /tmp/f ]", 0),
            ("[ -s /tmp/f ]", 0),
            ("[ -s /tmp/empty ]", 1),
            ('[ -z "" ]', 0),
            ("[ -n x ]", 0),
            ("[ a = a ]", 0),
            ("[ a != a ]", 1),
            ("[ 2 -lt 10 ]", 0),
            ("[ 2 -gt 10 ]", 1),
            ("[ -d /tmp -a -f /tmp/f ]", 0),
            ("[ -d /nope -o -f /tmp/f ]", 0),
            ("[ x ]", 0),
            ("[ ]", 1),
        ],
    )
    def test_test_and_brackets(self, condition: str, status: int) -> None:
        assert run(f"echo x > /tmp/f; touch /tmp/empty; {condition}").status == status

    def test_a_bracket_without_its_closing_bracket_is_an_error(self) -> None:
        result = run("[ -f /x")
        assert (result.status, result.stderr) == (2, "sh: missing ]\n")

    def test_glob_expands_to_matching_files(self) -> None:
        result = run("touch /tmp/a.log /tmp/b.log /tmp/c.txt; echo /tmp/*.log; echo /none/*.x")
        assert result.stdout == "/tmp/a.log /tmp/b.log\n/none/*.x\n"


class TestRedirection:
    def test_output_redirection_writes_files_exec_probes_can_read(self) -> None:
        result = run("echo ready > /tmp/status; echo more >> /tmp/status; cat /tmp/status")
        assert result.fs.read("/tmp/status") == "ready\nmore\n"
        assert result.stdout == "ready\nmore\n"

    def test_stderr_can_join_stdout_or_be_discarded(self) -> None:
        result = run("cat /none 2>&1; cat /none 2>/dev/null; echo quiet > /dev/null")
        assert result.stdout == "cat: can't open '/none': No such file or directory\n"
        assert result.stderr == ""

    def test_echo_to_stderr(self) -> None:
        result = run("echo oops >&2")
        assert (result.stdout, result.stderr) == ("", "oops\n")

    def test_input_redirection_and_here_documents(self) -> None:
        result = run(
            "cat <<EOF > /tmp/conf\nname=$HOME\nEOF\nwhile read line; do echo got $line; done < /tmp/conf"
        )
        assert result.stdout == "got name=/root\n"

    @pytest.mark.parametrize(
        ("flavor", "message"),
        [
            (BUSYBOX, "sh: can't create /nodir/x: nonexistent directory\n"),
            (DEBIAN, "sh: 1: cannot create /nodir/x: Directory nonexistent\n"),
        ],
    )
    def test_redirecting_into_a_missing_directory_fails(self, flavor: Flavor, message: str) -> None:
        result = run("echo hi > /nodir/x; echo status=$?", flavor=flavor)
        assert result.stderr == message
        assert result.stdout == "status=2\n"

    def test_proc_1_fd_1_is_the_container_log(self) -> None:
        assert run("echo to-log > /proc/1/fd/1").stdout == "to-log\n"


class TestUnmodelledCommands:
    def test_unknown_commands_are_assumed_to_succeed_and_reported(self) -> None:
        result = run("wget -q http://example.com; curl -s x; apt-get install -y y && echo ok")
        assert (result.status, result.stdout) == (0, "ok\n")
        assert result.host.notes == ["wget", "curl", "apt-get"]

    def test_date_prints_the_simulated_time(self) -> None:
        host = RecordingHost(now=datetime(2025, 1, 1, 0, 0, 5, tzinfo=UTC))
        result = run('echo "$(date) | $(date +%Y-%m-%dT%H:%M:%S)"', host=host)
        assert result.stdout == "Wed Jan  1 00:00:05 UTC 2025 | 2025-01-01T00:00:05\n"

    def test_date_without_a_clock_is_an_assumed_command(self) -> None:
        result = run("echo [$(date)]")
        assert (result.stdout, result.host.notes) == ("[]\n", ["date"])

    def test_hostname_and_env(self) -> None:
        host = RecordingHost()
        shell = Shell(Filesystem(), {"A": "1"}, host, hostname="web-0", pid1=True)
        gen = shell.run_argv(["sh", "-c", "hostname; B=2 env; printenv A"])
        with pytest.raises(StopIteration):
            next(gen)
        assert "".join(t for _, t in host.out) == "web-0\nA=1\nB=2\n1\n"


class TestProcesses:
    def test_a_shell_with_no_script_and_no_stdin_exits_at_once(self) -> None:
        shell = Shell(Filesystem(), {}, RecordingHost(), pid1=True, stdin="")
        with pytest.raises(StopIteration) as stop:
            next(shell.run_argv(["sh"]))
        assert stop.value.value == 0

    def test_a_shell_with_an_open_stdin_waits_forever(self) -> None:
        shell = Shell(Filesystem(), {}, RecordingHost(), pid1=True, stdin=None)
        assert next(shell.run_argv(["sh"])).seconds == math.inf

    def test_a_script_file_runs_and_a_missing_one_fails(self) -> None:
        fs = Filesystem()
        fs.write("/start.sh", "echo from file; exit 6\n")
        assert run("sh /start.sh", fs=fs).status == 6
        missing = run("sh /none.sh")
        assert (missing.status, missing.stderr) == (
            2,
            "sh: can't open '/none.sh': No such file or directory\n",
        )

    def test_background_job_and_wait(self) -> None:
        result = run("sleep 5 & echo started; wait; echo after")
        assert (result.waits, result.stdout, result.status) == ([5.0], "started\nafter\n", 0)

    def test_exec_replaces_the_shell(self) -> None:
        result = run("exec sleep 3; echo never")
        assert (result.waits, result.stdout, result.status) == ([3.0], "", 0)

    def test_the_last_command_of_a_script_replaces_the_shell(self) -> None:
        # ash/dash/bash exec the final simple command of `-c` instead of forking it.
        host = RecordingHost(programs={"myserver"})
        result = run("echo starting; myserver", host=host)
        assert result.waits == [math.inf] and len(host.execed) == 1

    @pytest.mark.parametrize(
        "script", ["myserver; echo never", "trap 'exit 0' TERM; myserver", "myserver &\nwait"]
    )
    def test_the_shell_stays_pid_1_when_it_has_more_to_do(self, script: str) -> None:
        host = RecordingHost(programs={"myserver"})
        run(script, host=host)
        assert host.execed == []

    def test_a_script_file_does_not_exec_its_last_command(self) -> None:
        # Only `-c` strings are evaluated with EV_EXIT (ash: evalstring(minusc, EV_EXIT)).
        fs = Filesystem()
        fs.write("/start.sh", "echo starting\nmyserver\n")
        host = RecordingHost(programs={"myserver"})
        run("sh /start.sh", host=host, fs=fs)
        assert host.execed == []


class TestSigterm:
    def test_pid_1_shell_without_a_trap_ignores_sigterm(self) -> None:
        result = run("sleep 3600")
        assert result.shell.deliver_term() == "ignored"

    def test_a_shell_that_is_not_pid_1_dies_of_sigterm(self) -> None:
        result = run("sleep 3600", pid1=False)
        assert result.shell.deliver_term() == "killed"

    def test_trap_runs_at_once_when_the_shell_is_waiting(self) -> None:
        result = run("trap 'echo bye; exit 0' TERM; sleep infinity & wait")
        assert result.shell.deliver_term() == "interrupt"
        with pytest.raises(StopIteration) as stop:
            result.gen.send(0.0)
        assert stop.value.value == 0
        assert result.stdout == "bye\n"

    def test_trap_waits_for_the_foreground_command_to_finish(self) -> None:
        # POSIX: a trapped signal's action runs after the foreground command completes.
        result = run("trap 'echo bye; exit 0' TERM; sleep 20; echo unreachable", max_waits=1)
        assert result.waits == [20.0]
        assert result.shell.deliver_term() == "deferred"
        with pytest.raises(StopIteration) as stop:
            result.gen.send(None)
        assert (stop.value.value, result.stdout) == (0, "bye\n")

    def test_a_trap_that_does_not_exit_lets_the_script_continue(self) -> None:
        result = run("trap 'echo got TERM' TERM; while true; do sleep 1; done", max_waits=1)
        result.shell.deliver_term()
        assert result.gen.send(None).seconds == 1.0
        assert result.stdout == "got TERM\n"

    def test_trap_with_an_empty_action_ignores_the_signal(self) -> None:
        assert run("trap '' TERM; sleep 100", pid1=False).shell.deliver_term() == "ignored"

    def test_exit_trap_runs_when_the_script_ends(self) -> None:
        assert run("trap 'echo cleanup' EXIT; echo work; exit 3").stdout == "work\ncleanup\n"


class TestSyntaxErrors:
    @pytest.mark.parametrize(
        ("argv0", "flavor", "message"),
        [
            # busybox ash: ash_vmsg prints "arg0: " and, with no builtin running, no line.
            ("sh", BUSYBOX, 'sh: syntax error: unexpected end of file (expecting "fi")\n'),
            ("sh", DEBIAN, 'sh: 1: Syntax error: end of file unexpected (expecting "fi")\n'),
            ("bash", DEBIAN, "bash: -c: line 1: syntax error: unexpected end of file\n"),
        ],
    )
    def test_a_syntax_error_is_printed_once_with_the_shells_prefix(
        self, argv0: str, flavor: Flavor, message: str
    ) -> None:
        result = run("if true; then echo yes", argv0=argv0, flavor=flavor)
        assert (result.status, result.stdout, result.stderr) == (2, "", message)

    def test_a_syntax_error_in_eval_names_eval_and_ends_the_shell(self) -> None:
        result = run("eval 'if true'; echo after")
        assert (result.status, result.stdout, result.stderr) == (
            2,
            "",
            'sh: eval: line 1: syntax error: unexpected end of file (expecting "then")\n',
        )
