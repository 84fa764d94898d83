"""A hub served by uvicorn on a background thread: demo mode's loopback hub, and the tests' hub."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from kiosk.hub.core import Hub


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class EmbeddedHub:
    hub: Hub
    host: str = "127.0.0.1"
    port: int = 0
    _server: object = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> EmbeddedHub:
        import uvicorn

        from kiosk.hub.app import create_app

        self.port = self.port or free_port(self.host)
        config = uvicorn.Config(create_app(self.hub), host=self.host, port=self.port, log_level="warning",
                                access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, name="kiosk-hub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the embedded hub did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(timeout=10)
