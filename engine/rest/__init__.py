"""The REST facade: the simulated cluster as the Kubernetes API (no sockets here).

`RestFacade(cluster, token=...).handle(Request(method, path, query, headers, body))` answers
one API request as kube-apiserver would; `podtui/serve` puts it behind HTTPS.
"""

from engine.rest.facade import SERVER_VERSION, RestFacade
from engine.rest.http import Request, Response
from engine.rest.logs import LogStream
from engine.rest.watch import WatchHub, WatchStream

__all__ = [
    "SERVER_VERSION",
    "LogStream",
    "Request",
    "Response",
    "RestFacade",
    "WatchHub",
    "WatchStream",
]
