"""Image references, and what well-known images and programs do when they run.

`normalize_image` follows the kubelet: `reference.ParseNormalizedNamed`
(github.com/distribution/reference, normalize.go/reference.go/regexp.go as vendored in
kubernetes/kubernetes) plus the kubelet's default tag `latest`
(pkg/kubelet/images/image_manager.go `applyDefaultImageTag`, pkg/util/parsers).

The catalog records, for images people use in examples, the image's ENTRYPOINT/CMD, its
userland, an approximate compressed size, and per program the ports it listens on, how it
answers HTTP and what it does on SIGTERM. Sizes are approximations of the amd64 images on
their registries, good enough for a `Pulled` event; they are not measurements.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace

from engine.shell.host import BUSYBOX, DEBIAN, Flavor

# -- references --------------------------------------------------------------------------

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_HOST = rf"(?:{_DOMAIN_NAME}|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN_AND_PORT = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN_AND_PORT}/)?{_REMOTE_NAME}"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$", re.ASCII)
_ANCHORED_NAME = re.compile(rf"^(?:({_DOMAIN_AND_PORT})/)?({_REMOTE_NAME})$", re.ASCII)
_IDENTIFIER = re.compile(r"^[a-f0-9]{64}$")
_DIGEST_SIZES = {"sha256": 64, "sha384": 96, "sha512": 128}
_DEFAULT_DOMAIN = "docker.io"
_NAME_TOTAL_LENGTH_MAX = 255


class InvalidImageError(ValueError):
    """An image the kubelet cannot parse; str() is its InvalidImageName message."""


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The repository with its registry: `docker.io/library/nginx`."""
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        # One string per reference, not one per pod: every container status keeps it.
        return _reference_text(self)


@functools.lru_cache(maxsize=4096)
def _reference_text(ref: ImageRef) -> str:
    text = ref.name
    if ref.tag:
        text += f":{ref.tag}"
    if ref.digest:
        text += f"@{ref.digest}"
    return text


def _split_docker_domain(name: str) -> tuple[str, str]:
    """`splitDockerDomain`: which part of a name is the registry."""
    if "/" not in name:
        return _DEFAULT_DOMAIN, "library/" + name
    maybe_domain, maybe_remote = name.split("/", 1)
    if maybe_domain == "localhost":
        domain, remote = maybe_domain, maybe_remote
    elif maybe_domain == "index.docker.io":
        domain, remote = _DEFAULT_DOMAIN, maybe_remote
    elif any(c in maybe_domain for c in ".:"):
        domain, remote = maybe_domain, maybe_remote
    elif maybe_domain.lower() != maybe_domain:
        # Uppercase namespaces are not allowed, so an uppercase first part is a domain.
        domain, remote = maybe_domain, maybe_remote
    else:
        domain, remote = _DEFAULT_DOMAIN, name
    if domain == _DEFAULT_DOMAIN and "/" not in remote:
        remote = "library/" + remote
    return domain, remote


def _validate_digest(digest: str) -> str | None:
    """go-digest's Digest.Validate error, or None when valid (unverified wording)."""
    algorithm, _, encoded = digest.partition(":")
    size = _DIGEST_SIZES.get(algorithm)
    if size is None:
        return "unsupported digest algorithm"
    if len(encoded) != size:
        return "invalid checksum digest length"
    if not re.fullmatch(r"[a-f0-9]+", encoded):
        return "invalid checksum digest format"
    return None


def parse_normalized_named(text: str) -> ImageRef:
    """`reference.ParseNormalizedNamed`; raises ValueError with the library's message."""
    if _IDENTIFIER.match(text):
        raise ValueError(
            f"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings"
        )
    domain, remainder = _split_docker_domain(text)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise ValueError(f"invalid reference format: repository name ({remote}) must be lowercase")
    candidate = f"{domain}/{remainder}"
    match = _REFERENCE.match(candidate)
    if match is None:
        if _REFERENCE.match(candidate.lower()):
            raise ValueError("repository name must be lowercase")
        raise ValueError("invalid reference format")
    name_match = _ANCHORED_NAME.match(match.group(1))
    registry, path = (name_match.group(1), name_match.group(2)) if name_match else ("", "")
    if len(path) > _NAME_TOTAL_LENGTH_MAX:
        raise ValueError(
            f"repository name must not be more than {_NAME_TOTAL_LENGTH_MAX} characters"
        )
    digest = match.group(3)
    if digest and (problem := _validate_digest(digest)):
        raise ValueError(problem)
    return ImageRef(registry or "", path, match.group(2), digest)


@functools.lru_cache(maxsize=4096)
def normalize_image(ref: str) -> ImageRef:
    """The reference the runtime pulls: `nginx` is docker.io/library/nginx:latest."""
    try:
        parsed = parse_normalized_named(ref)
    except ValueError as err:
        raise InvalidImageError(
            f'Failed to apply default image tag "{ref}": couldn\'t parse image name "{ref}": {err}'
        ) from None
    if parsed.tag is None and parsed.digest is None:
        return replace(parsed, tag="latest")
    return parsed


def _as_ref(ref: str | ImageRef) -> ImageRef:
    return ref if isinstance(ref, ImageRef) else normalize_image(ref)


# -- programs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SigtermRule:
    """What a process does on SIGTERM.

    mode "exit": it handles the signal and exits with `code` after `delay` seconds;
    mode "default": no handler, so as PID 1 the kernel ignores it, otherwise it dies (143);
    mode "go": a Go program without a handler; the runtime re-raises the signal, which
    PID 1 ignores, and then calls exit(2) (runtime/signal_unix.go `dieFromSignal`).
    """

    mode: str = "exit"
    code: int = 0
    delay: float = 0.0
    message: str | None = None


GO_DEFAULT = SigtermRule("go")
NO_HANDLER = SigtermRule("default")
EXITS_0 = SigtermRule("exit", 0)
EXITS_143 = SigtermRule("exit", 143)


@dataclass(frozen=True)
class ProgramSpec:
    """A program a container can run, as far as a cluster can observe it."""

    name: str
    ports: tuple[int, ...] = ()
    port_flags: tuple[str, ...] = ()  # `--port 8080`, `--port=8080`, `-p 8080`
    # "any": 200 for every path; "static:<docroot>" serves files; "listing:<dir>" also
    # lists directories; "liveness": agnhost's /healthz; "status:<code>"; "none": not HTTP.
    http: str = "any"
    sigterm: SigtermRule = EXITS_143
    declared_ports: bool = False  # also listens on the container's containerPorts
    output: tuple[tuple[str, str], ...] = ()  # (stream, line): a server prints them at start
    exit_code: int | None = None  # one-shot programs exit with this code...
    run_seconds: float = 0.0  # ...this long after they start, then print `output`
    assumed: bool = False  # podtui cannot do what it does; it is assumed to succeed
    daemon_unless: tuple[str, ...] | None = None  # forks into the background unless given


NGINX_HTML = "/usr/share/nginx/html"
APACHE_HTDOCS = "/usr/local/apache2/htdocs"

# Servers by program name (the basename of argv[0]), with their documented default ports.
# nginx (STOPSIGNAL SIGQUIT), httpd (SIGWINCH), postgres (SIGINT) and redis shut down cleanly
# with 0; unverified: memcached, mongod, rabbitmq-server, traefik, grafana, prometheus, etcd,
# nats-server, http-echo and the Ruby/Python servers are assumed to do the same.
PROGRAMS: dict[str, ProgramSpec] = {
    spec.name: spec
    for spec in (
        ProgramSpec(
            "nginx",
            (80,),
            http=f"static:{NGINX_HTML}",
            sigterm=EXITS_0,
            daemon_unless=("daemon off;",),
        ),
        ProgramSpec("httpd-foreground", (80,), http=f"static:{APACHE_HTDOCS}", sigterm=EXITS_0),
        ProgramSpec(
            "httpd",
            (80,),
            http=f"static:{APACHE_HTDOCS}",
            sigterm=EXITS_0,
            daemon_unless=("-DFOREGROUND",),
        ),
        ProgramSpec("apache2-foreground", (80,), http="static:/var/www/html", sigterm=EXITS_0),
        ProgramSpec("redis-server", (6379,), ("--port",), http="none", sigterm=EXITS_0),
        ProgramSpec("memcached", (11211,), ("-p", "--port"), http="none", sigterm=EXITS_0),
        ProgramSpec("postgres", (5432,), ("-p",), http="none", sigterm=EXITS_0),
        ProgramSpec("mysqld", (3306, 33060), ("--port", "-P"), http="none", sigterm=EXITS_0),
        ProgramSpec("mariadbd", (3306,), ("--port", "-P"), http="none", sigterm=EXITS_0),
        ProgramSpec("mongod", (27017,), ("--port",), http="none", sigterm=EXITS_0),
        ProgramSpec("rabbitmq-server", (5672, 4369, 25672, 15692), http="none", sigterm=EXITS_0),
        # Traefik with no routers answers 404 on every path.
        ProgramSpec("traefik", (80,), http="status:404", sigterm=EXITS_0),
        # build/pause/linux/pause.c: psignal(SIGTERM, "Shutting down, got signal"); exit(0).
        ProgramSpec(
            "pause",
            sigterm=SigtermRule("exit", 0, message="Shutting down, got signal: Terminated"),
        ),
        ProgramSpec("catalina.sh", (8080,), http="status:404", sigterm=EXITS_143),
        ProgramSpec("grafana", (3000,), sigterm=EXITS_0),
        ProgramSpec("prometheus", (9090,), sigterm=EXITS_0),
        ProgramSpec("etcd", (2379, 2380), sigterm=EXITS_0),
        ProgramSpec("nats-server", (4222, 8222), ("-p", "--port"), http="none", sigterm=EXITS_0),
        ProgramSpec("http-echo", (5678,), sigterm=EXITS_0),
        # unverified: hello-app's main.go installs no signal handler.
        ProgramSpec("hello-app", (8080,), sigterm=GO_DEFAULT),
        ProgramSpec("gunicorn", (8000,), ("-b", "--bind"), sigterm=EXITS_0),
        ProgramSpec("uvicorn", (8000,), ("--port",), sigterm=EXITS_0),
        ProgramSpec("rails", (3000,), ("-p", "--port"), sigterm=EXITS_0),
        ProgramSpec("puma", (9292,), ("-p", "--port"), sigterm=EXITS_0),
    )
}

# Interpreters and tools whose role depends on their arguments; engine.containers.process
# chooses among these (they are never looked up by name alone).
APP_PROGRAMS: dict[str, ProgramSpec] = {
    spec.name: spec
    for spec in (
        # A script podtui knows nothing about listens where the pod says. Without a SIGTERM
        # handler, Node and Python as PID 1 ignore SIGTERM; the JVM exits 143.
        ProgramSpec("node", declared_ports=True, sigterm=NO_HANDLER),
        ProgramSpec("python", declared_ports=True, sigterm=NO_HANDLER),
        ProgramSpec("perl", declared_ports=True, sigterm=NO_HANDLER),
        ProgramSpec("java", declared_ports=True, sigterm=EXITS_143),
        ProgramSpec("dotnet", declared_ports=True, sigterm=EXITS_0),
        ProgramSpec("npm", declared_ports=True, sigterm=NO_HANDLER),
        ProgramSpec("flask", (5000,), ("--port", "-p"), sigterm=NO_HANDLER),
        ProgramSpec("nc", http="none", sigterm=NO_HANDLER),
        ProgramSpec("ping", http="none", sigterm=NO_HANDLER),
        # An app binary podtui knows nothing about: a server on the declared ports.
        ProgramSpec("app", declared_ports=True, sigterm=EXITS_143),
    )
}

# Client tools: as a container's command they do their job and exit. podtui cannot do
# the job, so it assumes it succeeded (and says so).
ONE_SHOT_TOOLS = frozenset(
    {"curl", "wget", "apt-get", "apt", "apk", "yum", "dnf", "pip", "pip3", "git", "id"}
    | {"whoami", "uname", "ps", "df", "du", "free", "nslookup", "dig", "host", "tar", "gzip"}
    | {"gunzip", "unzip", "openssl", "base64", "md5sum", "sha256sum", "sed", "awk", "cut"}
    | {"sort", "uniq", "tr", "xargs", "find", "jq", "yq", "kubectl", "helm", "psql", "mysql"}
    | {"mongosh", "redis-cli", "telnet", "expr", "stat", "nc", "traceroute", "pg_isready"}
    | {"mysqladmin", "grpc_health_probe", "ssh-keygen", "chpasswd", "useradd", "adduser"}
)

HELLO_WORLD_TEXT = """
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Ubuntu container with:
 $ docker run -it ubuntu bash

Share images, automate workflows, and more with a free Docker ID:
 https://hub.docker.com/

For more examples and ideas, visit:
 https://docs.docker.com/get-started/
"""

# Programs that exist only in one image, by the path the image runs them from.
IMAGE_PROGRAMS: dict[str, ProgramSpec] = {
    "/hello": ProgramSpec(
        "hello",
        http="none",
        output=tuple(("stdout", line) for line in HELLO_WORLD_TEXT.split("\n")[:-1]),
        exit_code=0,
    ),
    # The docs' HTTP liveness example (test/images/agnhost/liveness/server.go): /healthz
    # answers 200 for the first 10 s after start, then 500; the server listens on :8080.
    "/server": ProgramSpec("liveness", (8080,), http="liveness", sigterm=GO_DEFAULT),
    "/hello-app": PROGRAMS["hello-app"],
    "/pause": PROGRAMS["pause"],
}

# agnhost subcommands (test/images/agnhost/*): default ports from their flag definitions.
AGNHOST_PROGRAMS: dict[str, ProgramSpec] = {
    "liveness": IMAGE_PROGRAMS["/server"],
    "netexec": ProgramSpec("netexec", (8080,), ("--http-port",), sigterm=GO_DEFAULT),
    # serve-hostname catches SIGTERM, logs it and sleeps 60 s before exiting.
    "serve-hostname": ProgramSpec(
        "serve-hostname", (9376,), ("--port",), sigterm=SigtermRule("exit", 0, delay=60.0)
    ),
    "test-webserver": ProgramSpec(
        "test-webserver", (80,), ("--port",), http="listing:/", sigterm=GO_DEFAULT
    ),
    # agnhost pause: prints "Paused"; SIGTERM makes it os.Exit(2).
    "pause": ProgramSpec(
        "agnhost-pause", output=(("stdout", "Paused"),), sigterm=SigtermRule("exit", 2)
    ),
}


# -- images -------------------------------------------------------------------------------

_MB = 1_000_000
_DOCKER_ENTRYPOINT = "docker-entrypoint.sh"


@dataclass(frozen=True)
class ImageInfo:
    """What podtui knows about an image (an unknown image gets the defaults)."""

    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    size: int = 0  # approximate compressed bytes
    flavor: Flavor = BUSYBOX
    # An ENTRYPOINT script that ends in `exec "$@"` (docker-entrypoint.sh); with no
    # arguments, or a flag first, it runs `wrapper_default`, as the official images do.
    wrapper: str | None = None
    wrapper_default: str | None = None
    binaries: tuple[str, ...] | None = None  # images with no shell: all that can run
    required_env: tuple[str, ...] = ()  # the entrypoint refuses to start unless one is set
    missing_env_lines: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    known: bool = True


_NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
_NGINX_FILES = {
    f"{NGINX_HTML}/index.html": _NGINX_INDEX,
    f"{NGINX_HTML}/50x.html": "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n",
}
# docker-library/postgres docker-entrypoint.sh, `docker_verify_minimum_env`.
_POSTGRES_MISSING_PASSWORD = (
    "Error: Database is uninitialized and superuser password is not specified.",
    "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
    '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
    "",
    '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all',
    "       connections without a password. This is *not* recommended.",
    "",
    '       See PostgreSQL documentation about "trust":',
    "       https://www.postgresql.org/docs/current/auth-trust.html",
)
# docker-library/mysql docker-entrypoint.sh; the first line gets a timestamp prefix.
_MYSQL_MISSING_PASSWORD = (
    "[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified",
    "\tYou need to specify one of the following as an environment variable:",
    "\t- MYSQL_ROOT_PASSWORD",
    "\t- MYSQL_ALLOW_EMPTY_PASSWORD",
    "\t- MYSQL_RANDOM_ROOT_PASSWORD",
)


def _official(program: str, size: int, **extra: object) -> ImageInfo:
    """An official Docker Hub server image: docker-entrypoint.sh, then the server."""
    return ImageInfo(
        entrypoint=(_DOCKER_ENTRYPOINT,),
        cmd=(program,),
        size=size,
        flavor=DEBIAN,
        wrapper=_DOCKER_ENTRYPOINT,
        wrapper_default=program,
        **extra,  # type: ignore[arg-type]
    )


# The default command of these is an interactive shell: with no stdin it reads
# end-of-file and exits 0 at once, which is why `kubectl run --image=busybox` crash-loops.
_BUSYBOX = ImageInfo(cmd=("sh",), size=2_200_000)

IMAGES: dict[str, ImageInfo] = {
    "docker.io/library/busybox": _BUSYBOX,
    "registry.k8s.io/busybox": _BUSYBOX,
    "docker.io/library/alpine": ImageInfo(cmd=("/bin/sh",), size=3_600_000),
    "docker.io/library/ubuntu": ImageInfo(cmd=("/bin/bash",), size=29_700_000, flavor=DEBIAN),
    "docker.io/library/debian": ImageInfo(cmd=("bash",), size=48_500_000, flavor=DEBIAN),
    "docker.io/library/nginx": ImageInfo(
        entrypoint=("/docker-entrypoint.sh",),
        cmd=("nginx", "-g", "daemon off;"),
        size=72 * _MB,
        flavor=DEBIAN,
        wrapper="/docker-entrypoint.sh",
        files=_NGINX_FILES,
    ),
    "registry.k8s.io/nginx-slim": ImageInfo(
        cmd=("nginx", "-g", "daemon off;"), size=40 * _MB, flavor=DEBIAN, files=_NGINX_FILES
    ),
    "docker.io/library/httpd": ImageInfo(
        cmd=("httpd-foreground",),
        size=58 * _MB,
        flavor=DEBIAN,
        files={f"{APACHE_HTDOCS}/index.html": "<html><body><h1>It works!</h1></body></html>\n"},
    ),
    "docker.io/library/redis": _official("redis-server", 45 * _MB),
    "docker.io/library/memcached": _official("memcached", 32 * _MB),
    "docker.io/library/postgres": _official(
        "postgres",
        158 * _MB,
        required_env=("POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD=trust"),
        missing_env_lines=_POSTGRES_MISSING_PASSWORD,
    ),
    "docker.io/library/mysql": _official(
        "mysqld",
        170 * _MB,
        required_env=(
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ),
        missing_env_lines=_MYSQL_MISSING_PASSWORD,
    ),
    "docker.io/library/mongo": _official("mongod", 290 * _MB),
    "docker.io/library/rabbitmq": _official("rabbitmq-server", 95 * _MB),
    "docker.io/library/traefik": ImageInfo(
        entrypoint=("/entrypoint.sh",),
        cmd=("traefik",),
        size=48 * _MB,
        wrapper="/entrypoint.sh",
        wrapper_default="traefik",
    ),
    "docker.io/library/tomcat": ImageInfo(
        cmd=("catalina.sh", "run"), size=160 * _MB, flavor=DEBIAN
    ),
    "docker.io/grafana/grafana": ImageInfo(
        entrypoint=("/run.sh",), size=120 * _MB, wrapper="/run.sh", wrapper_default="grafana"
    ),
    "docker.io/prom/prometheus": ImageInfo(
        entrypoint=("/bin/prometheus",),
        cmd=("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"),
        size=100 * _MB,
    ),
    "docker.io/library/nats": ImageInfo(
        entrypoint=("/nats-server",),
        cmd=("--config", "nats-server.conf"),
        size=6 * _MB,
        binaries=("/nats-server",),
    ),
    "docker.io/hashicorp/http-echo": ImageInfo(
        entrypoint=("/http-echo",), size=3 * _MB, binaries=("/http-echo",)
    ),
    "registry.k8s.io/pause": ImageInfo(entrypoint=("/pause",), size=320_000, binaries=("/pause",)),
    "docker.io/library/hello-world": ImageInfo(cmd=("/hello",), size=13_000, binaries=("/hello",)),
    "registry.k8s.io/e2e-test-images/agnhost": ImageInfo(entrypoint=("/agnhost",), size=52 * _MB),
    # unverified: the old liveness image's CMD; the docs always pass `args: [/server]`.
    "registry.k8s.io/liveness": ImageInfo(cmd=("/server",), size=3 * _MB),
    "gcr.io/google-samples/hello-app": ImageInfo(cmd=("/hello-app",), size=11 * _MB),
    "registry.k8s.io/echoserver": ImageInfo(
        cmd=("/usr/local/bin/run.sh",), size=46 * _MB, flavor=DEBIAN
    ),
    "docker.io/library/python": ImageInfo(cmd=("python3",), size=380 * _MB, flavor=DEBIAN),
    # The docs' Job example (perl -Mbignum=bpi ...). CMD is the debugger, `perl -de0`.
    "docker.io/library/perl": ImageInfo(cmd=("perl", "-de0"), size=330 * _MB, flavor=DEBIAN),
    # The docs' gRPC liveness example runs /usr/local/bin/etcd from this image.
    "registry.k8s.io/etcd": ImageInfo(cmd=("/usr/local/bin/etcd",), size=99 * _MB),
    "docker.io/library/node": ImageInfo(
        entrypoint=(_DOCKER_ENTRYPOINT,),
        cmd=("node",),
        size=390 * _MB,
        flavor=DEBIAN,
        wrapper=_DOCKER_ENTRYPOINT,
        wrapper_default="node",
    ),
}
_ALIASES = {
    "k8s.gcr.io/busybox": "registry.k8s.io/busybox",
    "gcr.io/google-containers/busybox": "registry.k8s.io/busybox",
    "gcr.io/google_containers/busybox": "registry.k8s.io/busybox",
    "k8s.gcr.io/pause": "registry.k8s.io/pause",
    "gcr.io/google-containers/pause": "registry.k8s.io/pause",
    "gcr.io/google_containers/pause": "registry.k8s.io/pause",
    "k8s.gcr.io/liveness": "registry.k8s.io/liveness",
    "gcr.io/google_containers/liveness": "registry.k8s.io/liveness",
    "gcr.io/google-containers/liveness": "registry.k8s.io/liveness",
    "k8s.gcr.io/e2e-test-images/agnhost": "registry.k8s.io/e2e-test-images/agnhost",
    "k8s.gcr.io/nginx-slim": "registry.k8s.io/nginx-slim",
    "gcr.io/google_containers/nginx-slim": "registry.k8s.io/nginx-slim",
    "k8s.gcr.io/echoserver": "registry.k8s.io/echoserver",
    "k8s.gcr.io/etcd": "registry.k8s.io/etcd",
    "gcr.io/google_containers/etcd": "registry.k8s.io/etcd",
    "gcr.io/google_containers/echoserver": "registry.k8s.io/echoserver",
    "us-docker.pkg.dev/google-samples/containers/gke/hello-app": "gcr.io/google-samples/hello-app",
}
# Registries that mirror Docker Hub's official images under the same path.
_HUB_MIRRORS = ("mirror.gcr.io/library/", "public.ecr.aws/docker/library/")
_AGNHOST = "registry.k8s.io/e2e-test-images/agnhost"


def _catalog_name(ref: ImageRef) -> str:
    name = _ALIASES.get(ref.name, ref.name)
    for mirror in _HUB_MIRRORS:
        if name.startswith(mirror):
            return "docker.io/library/" + name[len(mirror) :]
    return name


def image_info(ref: str | ImageRef) -> ImageInfo:
    """Catalog entry for an image; an unknown image is a server with no known ports."""
    return _image_info(_as_ref(ref))


@functools.lru_cache(maxsize=4096)
def _image_info(parsed: ImageRef) -> ImageInfo:
    info = IMAGES.get(_catalog_name(parsed))
    if info is None:
        return ImageInfo(size=_unknown_size(parsed), known=False)
    if parsed.tag and "alpine" in parsed.tag and info.flavor != BUSYBOX:
        return replace(info, flavor=BUSYBOX)
    return info


def program_for_image(argv: list[str], ref: str | ImageRef) -> ProgramSpec | None:
    """The well-known program argv runs in this image, if podtui knows it."""
    if not argv:
        return None
    name = argv[0]
    base = name.rsplit("/", 1)[-1]
    if _catalog_name(_as_ref(ref)) == _AGNHOST and base == "agnhost":
        if len(argv) == 1:
            # unverified: with no subcommand, cobra prints the help text and exits 0.
            return ProgramSpec("agnhost", http="none", exit_code=0)
        return AGNHOST_PROGRAMS.get(argv[1])
    if name in IMAGE_PROGRAMS:
        return IMAGE_PROGRAMS[name]
    return PROGRAMS.get(base)


def well_known_ports(ref: str | ImageRef) -> tuple[int, ...]:
    """The ports an image's default program listens on (nginx: 80, redis: 6379, ...)."""
    info = image_info(ref)
    argv = [*info.entrypoint, *info.cmd]
    if info.wrapper and argv[:1] == [info.wrapper]:
        argv = argv[1:] or [info.wrapper_default or ""]
    spec = program_for_image(argv, ref)
    ports = list(spec.ports) if spec else []
    if (
        spec is not None
        and spec.name == "rabbitmq-server"
        and "management" in (_as_ref(ref).tag or "")
    ):
        ports.append(15672)
    return tuple(ports)


# -- pulling ------------------------------------------------------------------------------

_BANDWIDTH = 25 * _MB  # bytes per second from registry to node
_PULL_OVERHEAD = 0.5  # seconds: resolving the manifest and unpacking
_MISSING_MARKERS = ("doesnotexist", "nonexistent", "notexist", "notfound", "invalid")


def _unknown_size(ref: ImageRef) -> int:
    digest = hashlib.sha256(ref.name.encode()).digest()
    return 20 * _MB + int.from_bytes(digest[:4], "big") % (180 * _MB)


def image_size(ref: str | ImageRef) -> int:
    """Approximate compressed size in bytes (the `Image size: N bytes.` of a Pulled event)."""
    return image_info(ref).size


def image_id(ref: str | ImageRef) -> str:
    """`status.containerStatuses[].imageID`: `<repository>@sha256:<hex>`, stable per reference."""
    return _image_id(_as_ref(ref))


@functools.lru_cache(maxsize=4096)
def _image_id(parsed: ImageRef) -> str:
    # One string per reference, not one per pod: every container status keeps it.
    if parsed.digest and parsed.digest.startswith("sha256:"):
        return f"{parsed.name}@{parsed.digest}"
    return f"{parsed.name}@sha256:{hashlib.sha256(str(parsed).encode()).hexdigest()}"


def pull_seconds(ref: str | ImageRef) -> float:
    """How long a pull takes: 0.5 s plus the size at 25 MB/s, to the millisecond."""
    return round(_PULL_OVERHEAD + image_size(ref) / _BANDWIDTH, 3)


def pull_error(ref: str | ImageRef) -> str | None:
    """containerd's error when the registry lacks the image, or None when the pull works.

    Real registries can't be asked, so an image is missing when its tag, repository or
    registry contains (case-insensitively) one of: doesnotexist, nonexistent, notexist,
    notfound, invalid. A missing tag is NotFound; a missing Docker Hub repository is
    "pull access denied", because Docker Hub answers 401 for unknown repositories.
    """
    parsed = _as_ref(ref)
    text = str(parsed)
    head = f'failed to pull and unpack image "{text}": failed to resolve reference "{text}"'
    repository_missing = any(m in parsed.name.lower() for m in _MISSING_MARKERS)
    tag_missing = any(m in (parsed.tag or "").lower() for m in _MISSING_MARKERS)
    if repository_missing and parsed.registry == _DEFAULT_DOMAIN:
        return (
            f"rpc error: code = Unknown desc = {head}: pull access denied, repository does "
            "not exist or may require authorization: server message: insufficient_scope: "
            "authorization failed"
        )
    if repository_missing or tag_missing:
        return f"rpc error: code = NotFound desc = {head}: {text}: not found"
    return None
