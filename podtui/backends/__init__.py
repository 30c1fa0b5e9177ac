"""The one interface under the console: the engine in process, or a cluster over the network.

See base.py for the interface; engine.py and kube/ implement it.
"""
