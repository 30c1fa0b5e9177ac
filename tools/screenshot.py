"""Write docs/console.svg: the console over the bundled sample cluster, 90 s in.

python tools/screenshot.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.sim import load_inputs
from podtui.app.app import PodtuiApp
from podtui.app.session import Session

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_manifests"
OUT = ROOT / "docs" / "console.svg"


async def main() -> None:
    inputs = load_inputs([str(SAMPLES)])
    session, _ = Session.boot(inputs.manifests, seed=0, base_dir=SAMPLES)
    session.advance(90)
    app = PodtuiApp(session, paused=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
