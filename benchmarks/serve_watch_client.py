"""The watchers of benchmarks/serve_scale.py, in their own process: N watches of pods over
HTTPS, each counting its events and checking that resourceVersions only grow. Prints one
JSON line when the server has closed every watch.

    python benchmarks/serve_watch_client.py URL TOKEN CA_FILE RESOURCE_VERSION N
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys

import aiohttp

MARK = b'"resourceVersion":"'


async def watch(
    session: aiohttp.ClientSession, url: str, headers: dict, ready: asyncio.Event, opened: list
) -> dict:
    count = 0
    last = 0
    in_order = True
    async with session.get(
        url, headers=headers, timeout=aiohttp.ClientTimeout(total=None)
    ) as response:
        opened.append(1)
        ready.set()
        async for line in response.content:
            # The object's own metadata.resourceVersion is the first one on the line (the
            # last-applied annotation's copy is escaped JSON); a full parse would cost this
            # process more than the server spends.
            start = line.find(MARK) + len(MARK)
            rv = int(line[start : line.index(b'"', start)])
            in_order = in_order and rv > last
            last = rv
            count += 1
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
        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(watch(session, path, headers, ready, opened))
            for _ in range(int(watchers))
        ]
        while len(opened) < int(watchers):
            await asyncio.sleep(0.01)
        print("ready", flush=True)
        results = await asyncio.gather(*tasks)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
