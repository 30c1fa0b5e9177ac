"""Disruptions: PodDisruptionBudgets, the Eviction API, cordon and drain, node failure, and
failure injection's chaos mode.

Plugs into the engine (engine/extensions.py):
- the PodDisruptionBudget kind (policy/v1, and policy/v1beta1 with its deprecation warning)
  and its `kubectl get` printer;
- CONTROLLERS: the disruption controller (PDB status), the node lifecycle controller
  (Unknown conditions, NodeNotReady, NoSchedule/NoExecute taints) and the taint eviction
  controller (deleting pods that no longer tolerate their node);
- the `evict` and `drain` scenario steps.

What the console calls: `eviction.evict` / `eviction.evict_action`, `drain.drain` (a `Drain`
that runs on the clock and reports its lines), `chaos.ChaosMonkey`, `recorder.SessionRecorder`.
"""

from __future__ import annotations

from engine.disruption import api as _api
from engine.disruption import steps as _steps
from engine.disruption.disruption_controller import DisruptionController
from engine.disruption.node_lifecycle import NodeLifecycleController
from engine.disruption.printers import PodDisruptionBudgetPrinter
from engine.disruption.taint_eviction import TaintEvictionController
from engine.printers import register_printer

_api.register()
register_printer("PodDisruptionBudget", PodDisruptionBudgetPrinter())
_steps.register()

CONTROLLERS = [
    ("disruption", DisruptionController),
    ("node-lifecycle", NodeLifecycleController),
    ("taint-eviction-controller", TaintEvictionController),
]
