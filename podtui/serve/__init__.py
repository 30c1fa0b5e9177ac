"""`podtui serve`: the simulated cluster over the Kubernetes REST API, for the real kubectl.

server.py is the HTTP adapter over `engine.rest.RestFacade`; tls.py makes the certificate at
each start; kubeconfig.py writes the private kubeconfig; clock.py runs the simulated clock
at wall speed; command.py is `podtui serve`, console.py `podtui --serve`, options.py the
options both share.
"""
