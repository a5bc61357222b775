"""A TCP proxy to a PostgreSQL server's socket that can lose a COMMIT's
answer: once armed, it forwards the client's COMMIT, waits for the server's
answer (the transaction is then committed), drops it and cuts the client
off, as a network that fails at that moment does; `down` then refuses
every new connection too, as a server out of reach."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path


class CuttingProxy:
    def __init__(self, server_socket: Path) -> None:
        self.server_socket = server_socket
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        #: Set by the test: the next COMMIT's answer is lost (once).
        self.armed = threading.Event()
        #: Set when an answer was lost.
        self.cut = threading.Event()
        #: Refuse new connections once the answer is lost.
        self.down = False
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(str(self.server_socket))
            self._open += [client, upstream]
            committing = threading.Event()
            threading.Thread(target=self._pump, args=(client, upstream, committing, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, committing, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, committing: threading.Event,
              from_client: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not from_client and committing.is_set():  # the COMMIT's answer: it never arrives
                    if self.down:  # shutdown, not close alone: a blocked accept() keeps a closed socket listening
                        with contextlib.suppress(OSError):
                            self.listener.shutdown(socket.SHUT_RDWR)
                        self.listener.close()
                    self.cut.set()
                    break
                # Judged before the COMMIT is passed on: judged after, a thread held back on a busy machine
                # took an earlier COMMIT, already answered, for the armed one and cut the next answer instead.
                if from_client and self.armed.is_set() and b"COMMIT\x00" in data:
                    self.armed.clear()
                    committing.set()
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def url(self, pg_url: str) -> str:
        """The URL of `pg_url`'s database through this proxy."""
        database = pg_url.split("?")[0].rsplit("/", 1)[1]
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?sslmode=disable&gssencmode=disable"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for end in self._open:
            with contextlib.suppress(OSError):
                end.close()


@contextlib.contextmanager
def cutting_proxy(socket_dir: str) -> Iterator[CuttingProxy]:
    (server_socket,) = [path for path in Path(socket_dir).glob(".s.PGSQL.*") if path.suffix != ".lock"]
    proxy = CuttingProxy(server_socket)
    try:
        yield proxy
    finally:
        proxy.close()
