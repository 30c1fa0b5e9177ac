"""How containers behave: the image catalog, behaviour annotations and the process model.

The kubelet's runtime creates one `engine.containers.process.Process` per container
instance and drives it in simulated time.
"""
