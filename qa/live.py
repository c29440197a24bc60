"""Hot reload: serve the newest valid index generation without a restart.

A background thread watches the store's published-generation pointer (CURRENT in an index folder,
the `current` row of a Milvus store). When a build publishes a new generation it is
loaded and validated off the request path, then swapped in with one assignment; requests in flight
keep the retriever they started with. A generation that fails validation is reported and skipped:
the last good one keeps serving.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .errors import IndexNotFound, QAError
from .store import open_store
from .search import Retriever
from .settings import Settings

log = logging.getLogger(__name__)


class LiveRetriever:
    def __init__(self, index: str | Path, settings: Settings, retriever: Retriever | None = None):
        """`index`: a folder or Milvus URI. `retriever`: the one to serve first (its encoder serves
        every later generation too)."""
        self.store = open_store(index, settings)
        self.settings = settings
        self.last_error: str | None = None
        self._rejected: str | None = None  # a generation that failed validation is not retried
        self._retriever = retriever or Retriever(self.store.load(settings), settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    def start(self) -> "LiveRetriever":
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="qa-index-reload", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching; returns once a check in progress has finished, so none lands afterwards."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=60)

    def check(self) -> bool:
        """Load a newly published generation if there is one; True when it was swapped in."""
        published = self.store.current()
        if published is None or published in (self._retriever.data.generation, self._rejected):
            return False
        try:
            fresh = Retriever(self.store.load(self.settings, generation=published), self.settings, self._retriever.encoder).warm()
        except IndexNotFound:
            return False  # the pointer moved on and that generation was cleaned up: next round
        except QAError as e:
            log.error("new index generation %s rejected, still serving %s: %s", published, self._retriever.data.generation, e)
            self.last_error = str(e)
            self._rejected = published
            return False
        self._retriever = fresh
        self.last_error = None
        log.info("serving index generation %s", published)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.reload_interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one bad generation
                log.exception("index reload failed")
