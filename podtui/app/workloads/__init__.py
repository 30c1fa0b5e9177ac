"""The console's Controllers pane: k9s' controller keys (restart, roll back, set image,
scale), jumps from a controller to its pods and back, and the `:rollout` / `:set image`
verbs, each over engine.workloads.actions."""
