"""The server under test: started on a free port as `make run` does, and its memory sampled.

Heavy jobs run in worker processes, so memory is measured over the server process and all its
descendants: the peak of the summed RSS (an upper bound: pages shared between processes count
twice) and the peak of the summed PSS (shared pages split between the processes sharing them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python serve.py` (UMAP warm-up at start, then `streamlit run`) on 127.0.0.1:<port>."""

    def __init__(
        self, port: int, workspaces: Path, log_path: Path, *, launcher: str = "serve", options: tuple[str, ...] = ()
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        script = ["serve.py"] if launcher == "serve" else ["-m", "streamlit", "run", "streamlit_app.py"]
        self.command = [sys.executable, *script, "--server.port", str(port), "--server.address", "127.0.0.1"]
        # No file watcher: a source edited during the run would make every session re-import the app
        # at once (a classroom server's sources do not change; ours do while others work on them).
        self.command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
        for option in options:  # experiments: other Streamlit settings, e.g. runner.postScriptGC=false
            name, _, value = option.partition("=")
            self.command += [f"--{name}", value]
        self.env = {**os.environ, "EMBEDDING_LAB_WORKSPACES": str(workspaces)}
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 90.0) -> None:
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the server did not answer /_stcore/health within {timeout:.0f} s; see {self.log_path}")

    def processes(self) -> list[psutil.Process]:
        """The server process and all its descendants (job workers) alive right now."""
        if self.process is None:
            return []
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the server process and its job workers."""
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """CPU seconds used so far by the server process itself, and by its descendants (the job
        workers, including finished ones: their parent has reaped them into its children's times)."""
        main = workers = 0.0
        for index, process in enumerate(self.processes()):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            if index == 0:
                main += times.user + times.system
            else:
                workers += times.user + times.system + times.children_user + times.children_system
        return main, workers

    def wait_until_idle(self, *, below: float = 0.15, window: float = 3.0, timeout: float = 300.0) -> float:
        """Wait until the server uses less than ``below`` of one core over ``window`` seconds
        (the UMAP warm-up has finished); returns the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            before = self.cpu_seconds()
            time.sleep(window)
            if (self.cpu_seconds() - before) / window < below:
                break
        return time.monotonic() - start

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()


class MemorySampler:
    """Samples the summed RSS and PSS of the server and its descendants in a background thread."""

    def __init__(self, server: Server, interval: float = 0.25) -> None:
        self.server = server
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.main_rss = 0  # the server process alone, at the last sample
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            processes = self.server.processes()
            for index, process in enumerate(processes):
                try:
                    info = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                if index == 0:
                    self.main_rss = info.rss
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(processes))
            self.samples += 1
            self._stop.wait(self.interval)


class Renicer:
    """An experiment, not what the app does: lower the CPU priority of the job workers (every
    descendant of the server) to ``niceness``, to see what the light operations gain."""

    def __init__(self, server: Server, niceness: int, interval: float = 0.5) -> None:
        self.server = server
        self.niceness = niceness
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="renicer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for process in self.server.processes()[1:]:
                try:
                    if process.nice() < self.niceness:
                        process.nice(self.niceness)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self._stop.wait(self.interval)
