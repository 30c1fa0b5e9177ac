"""`podtui learn` in the console: the lesson panel beside the panes (engine.lessons checks)."""
