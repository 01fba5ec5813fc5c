"""The floor: a minimal broadcast server on the bare ``websockets`` library. Whatever any
client sends is wrapped, encoded once and broadcast to every client as the same text.

Run: ``python -m bench.floor PORT``.
"""

import asyncio
import json
import sys

from websockets.asyncio.server import broadcast, serve

clients = set()


async def handler(connection):
    clients.add(connection)
    try:
        async for text in connection:
            broadcast(clients, json.dumps({"message": text}))
    finally:
        clients.discard(connection)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, max_size=2**20) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
