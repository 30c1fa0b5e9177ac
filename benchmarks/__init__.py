"""podtui's benchmarks: each script runs on its own (`python benchmarks/engine_scale.py`);
`python -m benchmarks` runs them all at a small size (see benchmarks/README.md)."""
