"""The console's disruption tools: the Nodes and PDB panels, the drain form and the live
drain panel, chaos mode, and the session journal that saves what the console did as a
scenario `podtui sim` replays. Each is a thin view over engine.disruption."""
