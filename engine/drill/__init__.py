"""`podtui drill`: rehearse drains, rollouts, node failures, pod kills and the loss of a
node on a fresh simulated copy of a cluster, and report what broke (engine.drill.runner)."""
