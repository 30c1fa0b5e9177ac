"""Checkpoints in the console: the log of every change (log), the offer to save one when
quitting with live edits (quit), and `podtui --load FILE` (load)."""
