"""The watchers of benchmarks/serve_scale.py, in their own process: N watches of pods over
HTTPS, each counting its events and checking that resourceVersions only grow. Prints one
JSON line when the server has closed every watch.

    python benchmarks/serve_watch_client.py URL TOKEN CA_FILE RESOURCE_VERSION N [INITIAL]

With RESOURCE_VERSION 0 the watch starts with the current state as ADDED events, in no
resourceVersion order: each watch then stops once it has INITIAL of them, and reports how
many distinct resourceVersions they carried and how long they took.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time

import aiohttp

# Each event's own metadata.resourceVersion is the first one on its line (the last-applied
# annotation's copy would be escaped JSON): found with bytes.find, in C, over whole chunks,
# so that this process spends less than the server does.
RV = b'"resourceVersion":"'
ADDED = b'{"type":"ADDED"'


async def watch(
    session: aiohttp.ClientSession, url: str, headers: dict, opened: list, initial: int
) -> dict:
    count = 0
    last = 0
    in_order = True
    added: set[int] = set()
    pending = b""
    started = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=None)
    async with session.get(url, headers=headers, timeout=timeout) as response:
        opened.append(1)
        async for chunk in response.content.iter_any():
            pending += chunk
            end = pending.rfind(b"\n") + 1
            if not end:
                continue
            at = 0
            while at < end:
                stop = pending.index(b"\n", at) + 1
                found = pending.find(RV, at, stop)
                if found < 0:  # an ERROR event (a Status): not a Pod's
                    at = stop
                    continue
                found += len(RV)
                rv = int(pending[found : pending.index(b'"', found)])
                if initial:
                    if pending.startswith(ADDED, at):
                        added.add(rv)
                else:
                    in_order = in_order and rv > last
                last = rv
                count += 1
                at = stop
            pending = pending[end:]
            if initial and len(added) >= initial:
                break
    report = {"events": count, "in_order": in_order, "last_rv": last}
    if initial:
        report["initial_distinct"] = len(added)
        report["initial_s"] = round(time.perf_counter() - started, 3)
    return report


async def main() -> None:
    url, token, ca_file, rv, watchers = sys.argv[1:6]
    initial = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    context = ssl.create_default_context(cafile=ca_file)
    headers = {"Authorization": f"Bearer {token}"}
    path = f"{url}/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=3600"
    opened: list = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context, limit=0)
    ) as session:
        tasks = [
            asyncio.create_task(watch(session, path, headers, opened, initial))
            for _ in range(int(watchers))
        ]
        while len(opened) < int(watchers):
            await asyncio.sleep(0.01)
        print("ready", flush=True)
        results = await asyncio.gather(*tasks)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
