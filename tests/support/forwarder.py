"""A TCP forwarder on loopback, to make a server appear at an address only when a test says so."""

import asyncio
import contextlib


class Forwarder:
    def __init__(self, listen_port: int, target_host: str, target_port: int) -> None:
        self.listen_port, self.target_host, self.target_port = listen_port, target_host, target_port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.listen_port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _forward(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        target_reader, target_writer = await asyncio.open_connection(self.target_host, self.target_port)
        await asyncio.gather(_pipe(client_reader, target_writer), _pipe(target_reader, client_writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
