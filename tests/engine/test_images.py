"""Image references as the kubelet normalizes them, and the catalog of well-known images."""

from __future__ import annotations

import re

import pytest

from engine.containers.images import (
    APP_PROGRAMS,
    PROGRAMS,
    ImageRef,
    InvalidImageError,
    image_id,
    image_info,
    image_size,
    normalize_image,
    pull_error,
    pull_seconds,
    well_known_ports,
)
from engine.shell.interpreter import BUSYBOX, DEBIAN

SHA_A = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("nginx", ImageRef("docker.io", "library/nginx", "latest")),
        ("nginx:1.25", ImageRef("docker.io", "library/nginx", "1.25")),
        ("library/nginx", ImageRef("docker.io", "library/nginx", "latest")),
        ("docker.io/nginx", ImageRef("docker.io", "library/nginx", "latest")),
        ("index.docker.io/library/nginx", ImageRef("docker.io", "library/nginx", "latest")),
        ("bitnami/redis:7.2", ImageRef("docker.io", "bitnami/redis", "7.2")),
        ("registry.k8s.io/pause:3.10", ImageRef("registry.k8s.io", "pause", "3.10")),
        ("gcr.io/x/y@" + SHA_A, ImageRef("gcr.io", "x/y", None, SHA_A)),
        ("nginx:1.25@" + SHA_A, ImageRef("docker.io", "library/nginx", "1.25", SHA_A)),
        ("localhost/app", ImageRef("localhost", "app", "latest")),
        ("localhost:5000/app:v1", ImageRef("localhost:5000", "app", "v1")),
        ("myregistry:5000/team/app", ImageRef("myregistry:5000", "team/app", "latest")),
        (
            "quay.io/prometheus/node-exporter:v1.8.0",
            ImageRef("quay.io", "prometheus/node-exporter", "v1.8.0"),
        ),
        ("Example.com/team/app", ImageRef("Example.com", "team/app", "latest")),
    ],
)
def test_normalize_image_applies_docker_hub_defaults_and_tag_latest(
    ref: str, expected: ImageRef
) -> None:
    assert normalize_image(ref) == expected


def test_the_string_form_is_what_the_runtime_pulls() -> None:
    assert str(normalize_image("nginx")) == "docker.io/library/nginx:latest"
    assert str(normalize_image("gcr.io/x/y@" + SHA_A)) == "gcr.io/x/y@" + SHA_A


# The first five messages are as real kubelets reported them in InspectFailed events.
@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        (
            "THIS IS NOT A VALID IMAGE REFERENCE!!",
            "invalid reference format: repository name "
            "(library/THIS IS NOT A VALID IMAGE REFERENCE!!) must be lowercase",
        ),
        (
            "hfhugs/unsloth-gemma-3-4b-it-GGUF:Q4_K_XL",
            "invalid reference format: repository name (hfhugs/unsloth-gemma-3-4b-it-GGUF) "
            "must be lowercase",
        ),
        ("ghcr.io/${{ github.repository }}:latest", "invalid reference format"),
        (":sha-0b293ab", "invalid reference format"),
        ("registry.hub.docker.com/library//nginx:latest", "invalid reference format"),
        ("NGINX", "invalid reference format: repository name (library/NGINX) must be lowercase"),
        ("nginx latest", "invalid reference format"),
        ("", "invalid reference format"),
        ("nginx@sha256:abc", "invalid reference format"),
        ("nginx@md5:" + "a" * 32, "unsupported digest algorithm"),
        (
            "a" * 64,
            f"invalid repository name ({'a' * 64}), cannot specify 64-byte hexadecimal strings",
        ),
    ],
)
def test_invalid_image_names_give_the_kubelets_invalid_image_name_message(
    ref: str, reason: str
) -> None:
    with pytest.raises(InvalidImageError) as caught:
        normalize_image(ref)
    assert str(caught.value) == (
        f'Failed to apply default image tag "{ref}": couldn\'t parse image name "{ref}": {reason}'
    )


def test_image_id_is_a_stable_repo_digest() -> None:
    ident = image_id("nginx")
    assert re.fullmatch(r"docker\.io/library/nginx@sha256:[0-9a-f]{64}", ident)
    assert image_id("docker.io/library/nginx:latest") == ident
    assert image_id("nginx:1.25") != ident


def test_every_pod_of_one_image_shares_its_name_and_image_id() -> None:
    # Each container status keeps `image` and `imageID`: one string per reference, not one
    # per pod (150,000 pods of one image would otherwise hold 150,000 copies of each).
    first, second = image_id("nginx:1.27"), image_id(ImageRef("docker.io", "library/nginx", "1.27"))
    assert first is second
    assert str(normalize_image("nginx:1.27")) is str(ImageRef("docker.io", "library/nginx", "1.27"))
    assert str(ImageRef("ghcr.io", "a/b", "v1", SHA_A)) == "ghcr.io/a/b:v1@" + SHA_A


def test_a_pinned_digest_is_its_own_image_id() -> None:
    assert image_id("gcr.io/x/y@" + SHA_A) == "gcr.io/x/y@" + SHA_A


@pytest.mark.parametrize(
    ("ref", "ports"),
    [
        ("nginx", (80,)),
        ("nginx:1.27-alpine", (80,)),
        ("httpd", (80,)),
        ("redis:7", (6379,)),
        ("memcached", (11211,)),
        ("postgres:16", (5432,)),
        ("mysql:8.4", (3306, 33060)),
        ("mongo", (27017,)),
        ("rabbitmq:3", (5672, 4369, 25672, 15692)),
        ("rabbitmq:3-management", (5672, 4369, 25672, 15692, 15672)),
        ("traefik:v3", (80,)),
        ("registry.k8s.io/pause:3.10", ()),
        ("busybox", ()),
        ("gcr.io/google-samples/hello-app:1.0", (8080,)),
        ("k8s.gcr.io/liveness", (8080,)),
        ("myorg/unknown:1", ()),
    ],
)
def test_well_known_ports_of_common_images(ref: str, ports: tuple[int, ...]) -> None:
    assert well_known_ports(ref) == ports


@pytest.mark.parametrize(
    ("program", "mode", "code"),
    [
        ("nginx", "exit", 0),
        ("redis-server", "exit", 0),
        ("httpd-foreground", "exit", 0),
        ("postgres", "exit", 0),
        ("pause", "exit", 0),
        ("hello-app", "go", 0),
    ],
)
def test_servers_exit_promptly_on_sigterm(program: str, mode: str, code: int) -> None:
    rule = PROGRAMS[program].sigterm
    assert (rule.mode, rule.code, rule.delay) == (mode, code, 0.0)


@pytest.mark.parametrize(
    ("program", "mode", "code"),
    [("app", "exit", 143), ("java", "exit", 143), ("node", "default", 0), ("python", "default", 0)],
)
def test_app_programs_sigterm_rules(program: str, mode: str, code: int) -> None:
    rule = APP_PROGRAMS[program].sigterm
    assert (rule.mode, rule.code) == (mode, code)


@pytest.mark.parametrize(
    ("ref", "flavor"),
    [
        ("busybox", BUSYBOX),
        ("alpine:3.20", BUSYBOX),
        ("ubuntu:24.04", DEBIAN),
        ("nginx", DEBIAN),
        ("nginx:1.27-alpine", BUSYBOX),
        ("registry.k8s.io/busybox:1.27.2", BUSYBOX),
    ],
)
def test_image_userland_decides_the_shell_and_tools(ref: str, flavor: object) -> None:
    assert image_info(ref).flavor == flavor


@pytest.mark.parametrize(
    ("ref", "argv"),
    [
        ("busybox", ["sh"]),
        ("alpine", ["/bin/sh"]),
        ("ubuntu", ["/bin/bash"]),
        ("nginx", ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
        ("redis", ["docker-entrypoint.sh", "redis-server"]),
        ("registry.k8s.io/pause:3.10", ["/pause"]),
        ("hello-world", ["/hello"]),
    ],
)
def test_images_default_entrypoint_and_cmd(ref: str, argv: list[str]) -> None:
    info = image_info(ref)
    assert [*info.entrypoint, *info.cmd] == argv


def test_sizes_are_plausible_and_ordered() -> None:
    sizes = [image_size(r) for r in ("registry.k8s.io/pause:3.10", "busybox", "nginx", "postgres")]
    assert sizes == sorted(sizes)
    assert 200_000 < sizes[0] < 1_000_000 and 50_000_000 < sizes[2] < 100_000_000


def test_unknown_images_get_a_deterministic_size() -> None:
    assert image_size("myorg/app:1") == image_size("myorg/app:2")
    assert 20_000_000 <= image_size("myorg/app:1") < 200_000_000


@pytest.mark.parametrize(
    ("ref", "seconds"),
    [("busybox", 0.588), ("nginx", 3.38), ("postgres", 6.82), ("hello-world", 0.501)],
)
def test_pull_time_is_half_a_second_plus_size_at_25_mb_per_second(ref: str, seconds: float) -> None:
    assert pull_seconds(ref) == seconds


def test_pull_error_for_a_missing_tag_is_containerds_not_found() -> None:
    assert pull_error("nginx:doesnotexist") == (
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/'
        'nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": '
        "docker.io/library/nginx:doesnotexist: not found"
    )


def test_pull_error_for_a_missing_docker_hub_repository_is_access_denied() -> None:
    assert pull_error("nonexistent-app") == (
        'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/'
        'nonexistent-app:latest": failed to resolve reference "docker.io/library/'
        'nonexistent-app:latest": pull access denied, repository does not exist or may require '
        "authorization: server message: insufficient_scope: authorization failed"
    )


@pytest.mark.parametrize(
    "ref",
    [
        "nginx:NOTFOUND",
        "quay.io/notexist/app:1",
        "gcr.io/proj/app:invalid-tag",
        "busybox:doesnotexist",
    ],
)
def test_images_with_a_missing_marker_do_not_exist(ref: str) -> None:
    assert pull_error(ref) is not None


@pytest.mark.parametrize(
    "ref", ["nginx", "nginx:1.25", "registry.k8s.io/pause:3.10", "myorg/app:v2"]
)
def test_other_images_pull_fine(ref: str) -> None:
    assert pull_error(ref) is None
