"""`podtui learn`: the tutorial chapter as lessons that check themselves (engine.lessons)."""
