"""Process: what a container's main process does, driven like the kubelet's runtime drives it."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from engine.containers.images import image_info, normalize_image
from engine.containers.process import (
    Exit,
    Process,
    Wait,
    expand_kubernetes_vars,
    resolve_command,
)

START = datetime(2025, 1, 1, tzinfo=UTC)


class Clock:
    """Simulated time for a process: the runtime's clock, as the kubelet passes it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> datetime:
        return START + timedelta(seconds=self.seconds)


class Host:
    def __init__(self) -> None:
        self.logs: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.clock = Clock()

    def log(self, stream: str, line: str) -> None:
        self.logs.append((stream, line))

    def note_assumed(self, command: str) -> None:
        self.notes.append(command)


def pod(annotations: dict[str, str] | None = None, **spec: object) -> dict:
    return {"metadata": {"name": "web-0", "annotations": annotations or {}}, "spec": spec}


def process(container: dict, the_pod: dict | None = None, env: dict | None = None) -> Process:
    host = Host()
    return Process({"name": "app", **container}, the_pod or pod(), env or {}, host, now=host.clock)


class Timeline:
    """Drives a Process the way the kubelet's runtime does, in simulated seconds."""

    def __init__(self, proc: Process) -> None:
        self.proc = proc
        self.now = 0.0
        self.result = proc.start()

    @property
    def host(self) -> Host:
        return self.proc.host  # type: ignore[return-value]

    def advance(self, seconds: float) -> Wait | Exit:
        target = self.now + seconds
        while isinstance(self.result, Wait) and self.now + self.result.seconds <= target:
            self.now += self.result.seconds
            self.host.clock.seconds = self.now
            self.result = self.proc.resume()
        if isinstance(self.result, Wait) and not math.isinf(self.result.seconds):
            self.result = Wait(self.result.seconds - (target - self.now))
        self.now = target
        self.host.clock.seconds = target
        return self.result


class TestServers:
    def test_nginx_with_no_command_serves_on_80_and_its_declared_ports(self) -> None:
        proc = process({"image": "nginx:1.27", "ports": [{"containerPort": 8080}]})
        assert proc.start() == Wait(math.inf)
        assert proc.listening == {80, 8080}
        assert proc.http_status(80, "/") == 200
        assert proc.http_status(80, "/index.html") == 200
        assert proc.http_status(80, "/healthz") == 404  # nginx has no such file
        assert proc.http_status(9090, "/") is None  # connection refused

    @pytest.mark.parametrize(
        ("image", "port"),
        [
            ("redis:7", 6379),
            ("httpd:2.4", 80),
            ("memcached", 11211),
            ("mongo:7", 27017),
            ("traefik:v3", 80),
            ("gcr.io/google-samples/hello-app:1.0", 8080),
        ],
    )
    def test_well_known_images_listen_on_their_port(self, image: str, port: int) -> None:
        proc = process({"image": image})
        assert proc.start() == Wait(math.inf)
        assert port in proc.listening

    def test_an_unknown_image_with_no_command_serves_on_its_declared_ports(self) -> None:
        proc = process({"image": "myorg/shop:2", "ports": [{"containerPort": 9000}]})
        assert proc.start() == Wait(math.inf)
        assert proc.listening == {9000}
        assert proc.http_status(9000, "/anything") == 200

    def test_an_app_binary_command_is_a_long_lived_server(self) -> None:
        proc = process(
            {
                "image": "myorg/api:1",
                "command": ["/app/server", "--port", "8080"],
                "ports": [{"containerPort": 8080}],
            }
        )
        assert proc.start() == Wait(math.inf)
        assert proc.listening == {8080}

    def test_python_http_server_in_a_script_listens_on_its_port(self) -> None:
        proc = process(
            {"image": "python:3.12", "command": ["sh", "-c", "python -m http.server 8080"]}
        )
        assert proc.start() == Wait(math.inf)
        assert proc.listening == {8080}
        assert proc.http_status(8080, "/") == 200  # a directory listing

    def test_a_process_that_exits_stops_listening(self) -> None:
        proc = process({"image": "busybox", "command": ["sh", "-c", "httpd -f -p 8080 & sleep 5"]})
        assert proc.start() == Wait(5.0)
        assert proc.listening == {8080}
        assert proc.resume() == Exit(0)
        assert proc.listening == set()
        assert proc.http_status(8080, "/") is None


class TestCommands:
    def test_busybox_with_no_command_exits_0_at_once(self) -> None:
        # Its CMD is `sh`, which reads end-of-file from a closed stdin: the classic
        # crash loop of `kubectl run --image=busybox`.
        assert process({"image": "busybox"}).start() == Exit(0)

    def test_busybox_with_stdin_open_keeps_running(self) -> None:
        assert process({"image": "busybox", "stdin": True, "tty": True}).start() == Wait(math.inf)

    @pytest.mark.parametrize("image", ["busybox", "ubuntu", "python:3.12"])
    def test_a_tty_without_stdin_keeps_a_shell_or_repl_waiting_on_the_terminal(
        self, image: str
    ) -> None:
        # stdin is the terminal the runtime's shim holds open: no end-of-file, as with
        # `docker run -t ubuntu` or compose's `tty: true`.
        assert process({"image": image, "tty": True}).start() == Wait(math.inf)

    def test_without_stdin_or_tty_a_repl_reads_end_of_file_and_exits(self) -> None:
        assert process({"image": "python:3.12"}).start() == Exit(0)

    def test_echo_is_logged_line_by_line_and_partial_lines_flush_at_exit(self) -> None:
        proc = process(
            {"image": "busybox", "command": ["sh", "-c", "echo hi; echo -n part; exit 2"]}
        )
        assert proc.start() == Exit(2)
        assert proc.host.logs == [("stdout", "hi"), ("stdout", "part")]  # type: ignore[attr-defined]

    def test_errors_are_logged_on_stderr(self) -> None:
        proc = process({"image": "busybox", "command": ["cat", "/missing"]})
        assert proc.start() == Exit(1)
        assert proc.host.logs == [  # type: ignore[attr-defined]
            ("stderr", "cat: can't open '/missing': No such file or directory")
        ]

    def test_unmodelled_commands_are_noted_once_per_command(self) -> None:
        proc = process(
            {"image": "busybox", "command": ["sh", "-c", "for i in 1 2 3; do wget x; curl y; done"]}
        )
        assert proc.start() == Exit(0)
        assert proc.host.notes == ["wget", "curl"]  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        "command",
        [
            ["python", "-c", "print(1)"],
            ["node", "-e", "1"],
            ["perl", "-e", "1"],
            ["java", "-version"],
        ],
    )
    def test_interpreter_one_liners_run_once_and_are_assumed_to_succeed(
        self, command: list[str]
    ) -> None:
        proc = process({"image": "python:3.12", "command": command})
        assert proc.start() == Exit(0)
        assert proc.host.notes == [command[0]]  # type: ignore[attr-defined]

    def test_a_one_shot_tool_as_the_command_runs_once_and_exits(self) -> None:
        proc = process({"image": "curlimages/curl", "command": ["curl", "-s", "http://svc"]})
        assert proc.start() == Exit(0)
        assert proc.host.notes == ["curl"]  # type: ignore[attr-defined]

    def test_hello_world_prints_its_greeting_and_exits_0(self) -> None:
        proc = process({"image": "hello-world"})
        assert proc.start() == Exit(0)
        lines = [line for _, line in proc.host.logs]  # type: ignore[attr-defined]
        assert lines[1] == "Hello from Docker!" and len(lines) == 21

    def test_postgres_without_a_password_refuses_to_start(self) -> None:
        proc = process({"image": "postgres:16"})
        assert proc.start() == Exit(1)
        first = proc.host.logs[0]  # type: ignore[attr-defined]
        assert first == (
            "stderr",
            "Error: Database is uninitialized and superuser password is not specified.",
        )

    def test_postgres_with_a_password_serves(self) -> None:
        proc = process({"image": "postgres:16"}, env={"POSTGRES_PASSWORD": "secret"})
        assert proc.start() == Wait(math.inf)
        assert proc.listening == {5432}

    def test_a_shell_command_in_an_image_without_a_shell_cannot_start(self) -> None:
        result = process(
            {"image": "registry.k8s.io/pause:3.10", "command": ["sh", "-c", "x"]}
        ).start()
        assert isinstance(result, Exit)
        assert (result.code, result.reason) == (128, "StartError")
        assert 'exec: "sh": executable file not found in $PATH' in (result.message or "")

    def test_date_prints_simulated_time_when_given_a_clock(self) -> None:
        proc = Process(
            {"name": "app", "image": "busybox", "command": ["date"]},
            pod(),
            {},
            Host(),
            now=lambda: datetime(2025, 1, 1, 0, 1, 0, tzinfo=UTC),
        )
        assert proc.start() == Exit(0)
        assert proc.host.logs == [("stdout", "Wed Jan  1 00:01:00 UTC 2025")]  # type: ignore[attr-defined]

    def test_hostname_is_the_pod_name(self) -> None:
        proc = process({"image": "busybox", "command": ["sh", "-c", "hostname; echo $HOSTNAME"]})
        proc.start()
        assert proc.host.logs == [("stdout", "web-0"), ("stdout", "web-0")]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("container", "image", "argv"),
    [
        ({}, "nginx", ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
        (
            {"args": ["--appendonly", "yes"]},
            "redis",
            ["docker-entrypoint.sh", "--appendonly", "yes"],
        ),
        ({"command": ["sleep", "3600"]}, "nginx", ["sleep", "3600"]),
        ({"command": ["sh", "-c"], "args": ["echo hi"]}, "busybox", ["sh", "-c", "echo hi"]),
        ({"args": ["sleep", "10"]}, "busybox", ["sleep", "10"]),
        ({"command": ["echo", "$(GREETING) $$(GREETING)"]}, "busybox", ["echo", "hi $(GREETING)"]),
    ],
)
def test_command_replaces_entrypoint_and_args_replace_cmd(
    container: dict, image: str, argv: list[str]
) -> None:
    info = image_info(normalize_image(image))
    assert resolve_command(container, info, {"GREETING": "hi"}) == argv


# third_party/forked/golang/expansion/expand_test.go (subset), with VAR_A=A, VAR_B=B.
@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(VAR_A)", "A"),
        ("$(VAR_A)-$(VAR_A)", "A-A"),
        ("___$(VAR_B)___", "___B___"),
        ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
        ("f000-$$VAR_A", "f000-$VAR_A"),
        ("foo\\$(VAR_A)bar", "foo\\Abar"),
        ("$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),
        ("$(VAR_DNE)", "$(VAR_DNE)"),
        ("$VAR_A", "$VAR_A"),
        ("${VAR_A}", "${VAR_A}"),
        ("$?_boo_$!", "$?_boo_$!"),
        ("$$$$$$(VAR_A)", "$$$(VAR_A)"),
        ("$$$$$$$(VAR_A)", "$$$A"),
        ("$(VAR_B)_______$(A", "B_______$(A"),
        ("$(VAR_A)foobarzab$", "Afoobarzab$"),
        ("--$($($($($--", "--$($($($($--"),
    ],
)
def test_dollar_paren_references_expand_like_the_kubelet(text: str, expanded: str) -> None:
    assert expand_kubernetes_vars(text, {"VAR_A": "A", "VAR_B": "B"}) == expanded


class TestBehaviorAnnotations:
    def annotated(self, value: str, **container: object) -> Process:
        spec = {"image": "myorg/api:1", "ports": [{"containerPort": 8080}], **container}
        return process(spec, pod({"behavior.podtui.io/app": value}))

    def test_listen_delay_opens_ports_only_after_the_delay(self) -> None:
        timeline = Timeline(self.annotated("listenDelay=20s"))
        assert timeline.result == Wait(20.0)
        assert timeline.proc.listening == set()
        assert timeline.proc.http_status(8080, "/") is None
        timeline.advance(20)
        assert timeline.proc.listening == {8080}

    def test_exit_after_ends_the_process_with_the_exit_code(self) -> None:
        timeline = Timeline(self.annotated("exitAfter=30s exitCode=1"))
        assert timeline.advance(29) == Wait(1.0)
        assert timeline.advance(1) == Exit(1)
        assert timeline.proc.listening == set()

    def test_exit_code_alone_exits_at_once(self) -> None:
        assert self.annotated("exitCode=3").start() == Exit(3)

    @pytest.mark.parametrize("command", [["true"], ["sh", "-c", "echo done"], ["sleep", "5"]])
    def test_exit_code_alone_wins_over_what_the_command_does_at_the_start(
        self, command: list[str]
    ) -> None:
        proc = self.annotated("exitCode=3", image="busybox", command=command)
        assert proc.start() == Exit(3)

    def test_oom_after_kills_with_137_oomkilled(self) -> None:
        timeline = Timeline(self.annotated("oomAfter=45s"))
        assert timeline.advance(45) == Exit(137, "OOMKilled")

    def test_http_status_overrides_what_http_gets(self) -> None:
        proc = self.annotated("httpStatus=503")
        proc.start()
        assert proc.http_status(8080, "/healthz") == 503

    def test_a_script_is_interrupted_by_exit_after(self) -> None:
        proc = self.annotated("exitAfter=5s exitCode=4", command=["sh", "-c", "sleep 3600"])
        timeline = Timeline(proc)
        assert timeline.advance(5) == Exit(4)


class TestSigterm:
    @pytest.mark.parametrize(
        ("container", "spec", "outcome"),
        [
            ({"image": "nginx"}, {}, Exit(0)),
            ({"image": "redis"}, {}, Exit(0)),
            ({"image": "registry.k8s.io/pause:3.10"}, {}, Exit(0)),
            ({"image": "myorg/api:1", "command": ["/app/server"]}, {}, Exit(143)),
            ({"image": "openjdk", "command": ["java", "-jar", "app.jar"]}, {}, Exit(143)),
            # No handler and PID 1: the kernel ignores SIGTERM; SIGKILL follows at grace end.
            ({"image": "busybox", "command": ["sleep", "3600"]}, {}, None),
            ({"image": "busybox", "command": ["sh", "-c", "sleep 3600"]}, {}, None),
            ({"image": "node", "command": ["node", "server.js"]}, {}, None),
            ({"image": "python", "command": ["python", "-m", "http.server"]}, {}, None),
            # Not PID 1 (shared PID namespace): the default action kills it.
            (
                {"image": "busybox", "command": ["sleep", "3600"]},
                {"shareProcessNamespace": True},
                Exit(143),
            ),
            # A Go program without a handler as PID 1 falls through dieFromSignal: exit(2).
            (
                {"image": "registry.k8s.io/e2e-test-images/agnhost:2.40", "args": ["liveness"]},
                {},
                Exit(2),
            ),
            # The last command of `sh -c` is exec'd: nginx is PID 1 and handles SIGTERM.
            (
                {"image": "nginx", "command": ["sh", "-c", "echo hi; nginx -g 'daemon off;'"]},
                {},
                Exit(0),
            ),
            # tini forwards SIGTERM to a child that is not PID 1.
            ({"image": "myorg/api:1", "command": ["tini", "--", "node", "app.js"]}, {}, Exit(143)),
        ],
    )
    def test_sigterm_outcome(self, container: dict, spec: dict, outcome: Exit | None) -> None:
        proc = process(container, pod(**spec))
        assert isinstance(proc.start(), Wait)
        assert proc.sigterm() == outcome

    def test_an_ignored_sigterm_ends_with_sigkill_137(self) -> None:
        proc = process({"image": "busybox", "command": ["sleep", "3600"]})
        proc.start()
        assert proc.sigterm() is None
        assert proc.sigkill() == Exit(137)
        assert proc.resume() == Exit(137)

    def test_a_trap_makes_the_shell_exit_on_sigterm(self) -> None:
        script = "trap 'echo stopping; exit 0' TERM; while true; do sleep 1; done"
        timeline = Timeline(process({"image": "busybox", "command": ["sh", "-c", script]}))
        timeline.advance(0.5)
        assert timeline.proc.sigterm() is None  # runs when the current `sleep 1` returns
        assert timeline.advance(0.5) == Exit(0)
        assert timeline.host.logs == [("stdout", "stopping")]

    def test_a_trap_interrupts_wait_at_once(self) -> None:
        script = "trap 'exit 0' TERM; sleep infinity & wait"
        proc = process({"image": "busybox", "command": ["sh", "-c", script]})
        assert proc.start() == Wait(math.inf)
        assert proc.sigterm() == Exit(0)

    def test_pause_says_why_it_is_stopping(self) -> None:
        proc = process({"image": "registry.k8s.io/pause:3.10"})
        proc.start()
        proc.sigterm()
        assert proc.host.logs == [("stderr", "Shutting down, got signal: Terminated")]  # type: ignore[attr-defined]

    def test_agnhost_serve_hostname_takes_60_seconds_to_stop(self) -> None:
        proc = process(
            {"image": "registry.k8s.io/e2e-test-images/agnhost:2.40", "args": ["serve-hostname"]}
        )
        proc.start()
        assert proc.listening == {9376}
        assert proc.sigterm() == Wait(60.0)
        assert proc.resume() == Exit(0)

    @pytest.mark.parametrize(
        ("annotation", "first", "then"),
        [
            ("ignoreSigterm", None, None),
            ("sigtermExitCode=3", Exit(3), None),
            ("sigtermDelay=5s", Wait(5.0), Exit(143)),
            ("sigtermDelay=5s sigtermExitCode=0", Wait(5.0), Exit(0)),
        ],
    )
    def test_sigterm_annotations(self, annotation: str, first: object, then: object) -> None:
        proc = process(
            {"image": "myorg/api:1", "command": ["/app/server"]},
            pod({"behavior.podtui.io/app": annotation}),
        )
        proc.start()
        assert proc.sigterm() == first
        if then is not None:
            assert proc.resume() == then


class TestProbesAgainstTheProcess:
    def test_http_liveness_example_healthz_is_200_for_10_seconds_then_500(self) -> None:
        timeline = Timeline(process({"image": "registry.k8s.io/liveness", "args": ["/server"]}))
        assert timeline.proc.listening == {8080}
        timeline.advance(9)
        assert timeline.proc.http_status(8080, "/healthz") == 200
        timeline.advance(3)
        assert timeline.proc.http_status(8080, "/healthz") == 500
        assert timeline.proc.http_status(8080, "/started") == 200

    def test_http_liveness_example_is_still_healthy_at_exactly_10_seconds(self) -> None:
        # server.go: `if duration.Seconds() > 10 { w.WriteHeader(500) ... }`
        timeline = Timeline(process({"image": "registry.k8s.io/liveness", "args": ["/server"]}))
        timeline.advance(10)
        assert timeline.proc.http_status(8080, "/healthz") == 200
        timeline.advance(0.001)
        assert timeline.proc.http_status(8080, "/healthz") == 500

    def test_exec_liveness_example_against_the_process(self) -> None:
        script = "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"
        timeline = Timeline(
            process({"image": "registry.k8s.io/busybox:1.27.2", "args": ["/bin/sh", "-c", script]})
        )
        timeline.advance(25)
        assert timeline.proc.exec(["cat", "/tmp/healthy"], 1).exit_code == 0
        timeline.advance(10)
        result = timeline.proc.exec(["cat", "/tmp/healthy"], 1)
        assert (result.exit_code, result.output) == (
            1,
            "cat: can't open '/tmp/healthy': No such file or directory\n",
        )

    @pytest.mark.parametrize(
        ("image", "argv", "exit_code", "output"),
        [
            ("redis", ["redis-cli", "ping"], 0, "PONG\n"),
            (
                "postgres",
                ["pg_isready", "-U", "postgres"],
                0,
                "/var/run/postgresql:5432 - accepting connections\n",
            ),
            ("nginx", ["curl", "-sf", "-o", "/dev/null", "http://localhost/"], 0, ""),
            (
                "nginx",
                ["curl", "-f", "http://localhost/missing"],
                22,
                "curl: (22) The requested URL returned error: 404\n",
            ),
            ("nginx", ["curl", "-sf", "http://127.0.0.1:8080/"], 7, ""),
            (
                "busybox",
                ["wget", "-q", "-O-", "http://localhost:8080/"],
                1,
                "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
            ),
        ],
    )
    def test_exec_probe_tools_talk_to_the_containers_ports(
        self, image: str, argv: list[str], exit_code: int, output: str
    ) -> None:
        env = {"POSTGRES_PASSWORD": "x"} if image == "postgres" else {}
        command = {} if image != "busybox" else {"command": ["sleep", "3600"]}
        proc = process({"image": image, **command}, env=env)
        proc.start()
        result = proc.exec(argv, 1)
        assert (result.exit_code, result.output) == (exit_code, output)

    def test_an_exited_process_refuses_connections(self) -> None:
        proc = process({"image": "nginx"})
        proc.start()
        proc.sigkill()
        assert proc.listening == set()
        assert proc.http_get(80, "/").error == "connect: connection refused"

    def test_the_runtime_may_mark_a_process_closed(self) -> None:
        proc = process({"image": "nginx"})
        proc.start()
        proc.listening = set()
        assert proc.listening == set()


class TestGrpc:
    def test_a_listening_server_is_serving_and_a_closed_port_refuses(self) -> None:
        proc = process({"image": "myorg/api:1", "ports": [{"containerPort": 9000}]})
        proc.start()
        assert (proc.grpc_serving(9000), proc.grpc_serving(9001)) == (True, None)

    @pytest.mark.parametrize(
        ("annotation", "status"),
        [
            ("httpStatus=503", "NOT_SERVING"),
            ("httpStatus=204", "SERVING"),
            ("grpcStatus=NOT_SERVING", "NOT_SERVING"),
            ("grpcStatus=SERVICE_UNKNOWN", "SERVICE_UNKNOWN"),
        ],
    )
    def test_annotations_decide_what_the_health_service_answers(
        self, annotation: str, status: str
    ) -> None:
        proc = process(
            {"image": "myorg/api:1", "ports": [{"containerPort": 9000}]},
            pod({"behavior.podtui.io/app": annotation}),
        )
        proc.start()
        assert proc.grpc_status(9000) == status
        assert proc.grpc_serving(9000) is (status == "SERVING")

    def test_a_listen_delay_refuses_grpc_until_the_port_opens(self) -> None:
        proc = process(
            {"image": "myorg/api:1", "ports": [{"containerPort": 9000}]},
            pod({"behavior.podtui.io/app": "listenDelay=5s"}),
        )
        timeline = Timeline(proc)
        assert proc.grpc_serving(9000) is None
        timeline.advance(5)
        assert proc.grpc_serving(9000) is True

    def test_grpc_health_probe_in_an_exec_probe_reports_not_serving(self) -> None:
        proc = process(
            {"image": "myorg/api:1", "ports": [{"containerPort": 9000}]},
            pod({"behavior.podtui.io/app": "grpcStatus=NOT_SERVING"}),
        )
        proc.start()
        result = proc.exec(["/bin/grpc_health_probe", "-addr=:9000"], 1)
        assert (result.exit_code, result.output) == (
            4,
            'service unhealthy (responded with "NOT_SERVING")\n',
        )


class TestPerl:
    def test_the_docs_job_prints_pi_to_2000_digits_after_a_while(self) -> None:
        timeline = Timeline(
            process(
                {
                    "image": "perl:5.34.0",
                    "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
                }
            )
        )
        assert timeline.result == Wait(10.0)
        assert timeline.advance(10) == Exit(0)
        ((stream, digits),) = timeline.host.logs
        assert stream == "stdout" and len(digits) == 2001
        assert digits.startswith("3.1415926535897932384626433832795028841971693993751")
        # pi goes on ...275900|9946...: cut at 2000 digits it rounds up, as Math::BigFloat does.
        assert digits[-6:] == "275901"

    @pytest.mark.parametrize(
        ("count", "text"), [(1, "3"), (3, "3.14"), (5, "3.1416"), (8, "3.1415927")]
    )
    def test_bpi_rounds_to_the_digits_asked_for(self, count: int, text: str) -> None:
        proc = process(
            {"image": "perl", "command": ["perl", "-Mbignum=bpi", "-le", f"print bpi({count})"]}
        )
        timeline = Timeline(proc)
        timeline.advance(10)
        assert timeline.host.logs == [("stdout", text)]

    @pytest.mark.parametrize(
        ("command", "outcome"),
        [
            (["perl", "-e", "print 1"], Exit(0)),  # a one-shot podtui assumes succeeded
            (["perl"], Exit(0)),  # reads the script from stdin: end-of-file
            (["perl", "/app/server.pl"], Wait(math.inf)),  # a script: an app server
        ],
    )
    def test_other_perl_commands(self, command: list[str], outcome: object) -> None:
        assert process({"image": "perl", "command": command}).start() == outcome

    def test_the_perl_image_runs_the_debugger_which_reads_end_of_file(self) -> None:
        assert process({"image": "perl:5.34.0"}).start() == Exit(0)


class TestDownloads:
    def test_wget_dash_o_saves_a_stand_in_for_a_page_outside_the_pod(self) -> None:
        proc = process(
            {
                "image": "busybox:1.28",
                "command": ["wget", "-O", "/work-dir/index.html", "http://info.cern.ch"],
                "volumeMounts": [{"name": "workdir", "mountPath": "/work-dir"}],
            }
        )
        assert proc.start() == Exit(0)
        assert "http://info.cern.ch" in proc.fs.read("/work-dir/index.html")
        assert proc.host.notes == ["wget"]  # type: ignore[attr-defined]

    def test_wget_without_dash_o_saves_to_the_urls_file_name(self) -> None:
        script = (
            "cd /tmp && wget -q http://example.com/files/app.tar.gz && wget -q http://example.com"
        )
        proc = process({"image": "busybox", "command": ["sh", "-c", script]})
        assert proc.start() == Exit(0)
        assert proc.fs.is_file("/tmp/app.tar.gz") and proc.fs.is_file("/tmp/index.html")

    def test_curl_dash_o_saves_the_page_a_server_in_the_pod_sends(self) -> None:
        proc = process({"image": "nginx"})
        proc.start()
        result = proc.exec(["curl", "-s", "-o", "/tmp/page.html", "http://localhost/"], 1)
        assert result.exit_code == 0
        assert "Welcome to nginx!" in proc.fs.read("/tmp/page.html")

    def test_wget_to_standard_output_and_curl_print_the_page(self) -> None:
        proc = process({"image": "nginx"})
        proc.start()
        assert "Welcome to nginx!" in proc.exec(["wget", "-qO-", "http://localhost/"], 1).output
        assert "Welcome to nginx!" in proc.exec(["curl", "-s", "http://127.0.0.1"], 1).output

    def test_wget_into_a_missing_directory_fails_as_busybox_does(self) -> None:
        proc = process(
            {"image": "busybox", "command": ["wget", "-O", "/nodir/x", "http://a.example"]}
        )
        assert proc.start() == Exit(1)
        assert proc.host.logs == [  # type: ignore[attr-defined]
            ("stderr", "wget: can't open '/nodir/x': No such file or directory")
        ]
