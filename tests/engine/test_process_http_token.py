"""Process.http_token: the servers a process has while it has neither exited nor written a
file, else None. A steady probe compares it with the servers it saw pass (prober.py
`_repeat_success`): whatever can change an httpGet probe's answer must change the token."""

from __future__ import annotations

from engine.containers.process import Exit, Process


class _Host:
    def log(self, stream: str, line: str) -> None:
        pass

    def note_assumed(self, command: str) -> None:
        pass


def _nginx() -> Process:
    container = {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
    pod = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"containers": [container]}}
    process = Process(container, pod, {}, _Host())
    process.start()
    return process


def test_a_serving_process_token_is_its_servers() -> None:
    process = _nginx()
    assert process.servers and process.http_token is process.servers
    assert process.http_unchanged(process.servers)


def test_writing_a_file_clears_the_token() -> None:
    process = _nginx()
    servers = process.servers
    process.fs.write("/usr/share/nginx/html/index.html", "changed")
    assert process.http_token is None
    assert not process.http_unchanged(servers)


def test_exiting_clears_the_token() -> None:
    process = _nginx()
    servers = process.servers
    assert isinstance(process.sigkill(), Exit)
    assert process.http_token is None
    assert not process.http_unchanged(servers)


def test_closing_the_ports_changes_the_token() -> None:
    process = _nginx()
    servers = process.servers
    process.listening = set()
    assert process.http_token is not servers
    assert not process.http_unchanged(servers)
