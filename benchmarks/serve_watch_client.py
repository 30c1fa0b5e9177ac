"""The watchers of benchmarks/serve_scale.py, in their own process: N watches of pods over
HTTPS, each counting its events and checking that resourceVersions only grow. Prints one
JSON line when the server has closed every watch.

    python benchmarks/serve_watch_client.py URL TOKEN CA_FILE RESOURCE_VERSION N
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import sys

import aiohttp

# Each event's own metadata.resourceVersion is the first one on its line (the last-applied
# annotation's copy is escaped JSON); matched in C over whole chunks, so this process spends
# less than the server does.
EVENT = re.compile(rb'\{"type":"[A-Z]+","object":[^\n]*?"resourceVersion":"(\d+)"[^\n]*\n')


async def watch(session: aiohttp.ClientSession, url: str, headers: dict, opened: list) -> dict:
    count = 0
    last = 0
    in_order = True
    pending = b""
    timeout = aiohttp.ClientTimeout(total=None)
    async with session.get(url, headers=headers, timeout=timeout) as response:
        opened.append(1)
        async for chunk in response.content.iter_any():
            pending += chunk
            end = pending.rfind(b"\n") + 1
            if not end:
                continue
            for match in EVENT.finditer(pending, 0, end):
                rv = int(match.group(1))
                in_order = in_order and rv > last
                last = rv
                count += 1
            pending = pending[end:]
    return {"events": count, "in_order": in_order, "last_rv": last}


async def main() -> None:
    url, token, ca_file, rv, watchers = sys.argv[1:6]
    context = ssl.create_default_context(cafile=ca_file)
    headers = {"Authorization": f"Bearer {token}"}
    path = f"{url}/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=3600"
    opened: list = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context, limit=0)
    ) as session:
        tasks = [
            asyncio.create_task(watch(session, path, headers, opened)) for _ in range(int(watchers))
        ]
        while len(opened) < int(watchers):
            await asyncio.sleep(0.01)
        print("ready", flush=True)
        results = await asyncio.gather(*tasks)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
