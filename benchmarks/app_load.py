"""The served Streamlit app under N concurrent sessions: ``python benchmarks/app_load.py --sessions 10``.

Starts ``streamlit run app.py`` on 127.0.0.1 (a free port, the models of ``weights/`` or ``$GAN_ZOO_WEIGHTS``),
then opens N sessions at once, each speaking Streamlit's own protocol over its WebSocket as a browser tab does:
open the Gallery, open the Latent walk and type new seeds ``--rounds`` times, open Draw and translate, switch
the input to MNIST test digits and step through ``--rounds`` of them. One interaction's latency runs from the
message a browser would send to the end of the script run it causes plus the download of every image that run
shows (what a user waits for). Bounded: at most ``MAX_SESSIONS`` sessions, each interaction at most
``--timeout`` seconds, the whole run at most ``--time-limit`` seconds (interactions not started by then are
reported as skipped). Prints the interactions run, errors (exceptions or error notices on a page, dropped
connections, failed image downloads, timeouts), p50/p95/max latency per interaction and overall, and the
server's resident memory (before, peak, and after the sessions closed), sampled every 0.2 s from /proc.

Needs Linux (/proc) and the app's dependencies (``pip install -r requirements.txt``); run it from the clone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

REPO = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 50  # a 2-core machine is saturated long before; more only measures the queue
MAX_SECONDS = 600


@dataclass
class Results:
    """Every interaction's latency by kind, the errors seen, and what was skipped for lack of time."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    skipped: int = 0


class Session:
    """One browser tab's worth of Streamlit protocol: reruns with widget states, and the images each run shows."""

    def __init__(self, base: str, ws, http: httpx.AsyncClient, results: Results, timeout: float) -> None:
        self.base, self.ws, self.http, self.results, self.timeout = base, ws, http, results, timeout
        self.pages: dict[str, str] = {}  # url path → page script hash
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, object]] = {}  # user key → (widget id, its proto) on the current page
        self.states: dict[str, tuple[str, object]] = {}  # user key → (WidgetState field, value) to send

    async def interact(self, kind: str, deadline: float) -> bool:
        """Send one rerun (the current page, the widget states) and wait for it and its images; False on failure."""
        if time.monotonic() > deadline:
            self.results.skipped += 1
            return False
        missing = sorted(set(self.states) - set(self.widgets))
        if missing:  # the page changed under the scenario: report it rather than measure a plain rerun
            self.results.errors.append(f"{kind}: no widget {missing} on the page")
            return False
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.page_hash
        for key, (kind_field, value) in self.states.items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key][0]
            setattr(widget, kind_field, value)
        start = time.perf_counter()
        try:
            urls = await asyncio.wait_for(self._run(msg), self.timeout)
            for response in await asyncio.gather(*(self._fetch(u) for u in urls)):
                if response.status_code != 200:
                    raise RuntimeError(f"image {response.url} answered {response.status_code}")
        except Exception as err:  # noqa: BLE001 - every failure is a result to report
            self.results.errors.append(f"{kind}: {type(err).__name__}: {err}"[:200])
            return False
        self.results.latencies[kind].append(time.perf_counter() - start)
        return True

    async def _fetch(self, url: str) -> httpx.Response:
        """GET an image; once more if the kept-alive connection was closed under it, as browsers retry."""
        try:
            return await self.http.get(self.base + url)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            return await self.http.get(self.base + url)

    async def _run(self, msg: BackMsg) -> list[str]:
        await self.ws.send(msg.SerializeToString())
        self.widgets, urls = {}, []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            what = forward.WhichOneof("type")
            if what == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in forward.navigation.app_pages}
            elif what == "delta" and forward.delta.WhichOneof("type") == "new_element":
                urls += self._element(forward.delta.new_element)
            elif what == "script_finished":
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"script ended with status {forward.script_finished}")
                return [u for u in urls if u.startswith("/")]

    def _element(self, element) -> list[str]:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "exception":
            raise RuntimeError(f"exception on the page: {body.type}: {body.message}")
        if kind == "alert" and body.format == body.ERROR:
            raise RuntimeError(f"error notice on the page: {body.body}")
        if kind == "imgs":
            return [img.url for img in body.imgs]
        widget_id = getattr(body, "id", "")
        if widget_id and "-" in widget_id:
            self.widgets[widget_id.rsplit("-", 1)[-1]] = (widget_id, body)
        return []

    async def open(self, url_path: str, deadline: float) -> bool:
        self.page_hash, self.states = self.pages.get(url_path, ""), {}
        return await self.interact(f"open {url_path or 'gallery'}", deadline)


async def scenario(base: str, results: Results, rounds: int, timeout: float, deadline: float, index: int) -> None:
    """What one user does: the Gallery, a few walks, a few translations.

    No keep-alive pings from this side (``ping_interval=None``), as from a browser: on a saturated CPU the
    server's answer to a ping can come late, and that is latency to measure, not a dropped user.
    """
    url = base.replace("http", "ws", 1) + "/_stcore/stream"
    async with (
        connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout, ping_interval=None) as ws,
        httpx.AsyncClient(timeout=timeout) as http,
    ):
        s = Session(base, ws, http, results, timeout)
        if not await s.open("", deadline) or not await s.open("latent-walk", deadline):
            return
        for r in range(rounds):
            seed = 100 * index + r
            s.states["seeds"] = ("string_value", f"{seed}, {seed + 1}")
            await s.interact("latent walk: new seeds", deadline)
        if not await s.open("draw", deadline):
            return
        options = list(s.widgets["source"][1].options) if "source" in s.widgets else []
        mnist = next((o for o in options if o.startswith("MNIST")), None)
        if mnist is None:
            results.errors.append(f"draw: no MNIST input among {options}")
            return
        s.states["source"] = ("string_value", mnist)
        if not await s.interact("draw: MNIST input", deadline):
            return
        for r in range(rounds):
            s.states["mnist_index"] = ("double_value", float(7 * index + r + 1))
            await s.interact("draw: next test digit", deadline)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


async def sample_rss(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(rss_mb(pid))
        await asyncio.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, log: Path) -> subprocess.Popen:
    """The app on ``port``, its output to ``log``: a pipe nobody drains would block the server once full."""
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
        "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)


def wait_healthy(base: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(base + "/_stcore/health", timeout=2).text == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {base}/_stcore/health within {timeout:.0f} s")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run(args: argparse.Namespace) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="gan-zoo-load-")) / "streamlit.log"
    server = serve(port, log)
    try:
        wait_healthy(base, server, log)
        warm = Results()  # one session first, so that loading the models is not counted as load
        await scenario(base, warm, 1, args.timeout, time.monotonic() + args.timeout * 8, 0)
        if warm.errors:
            raise SystemExit(f"the warm-up session failed: {warm.errors[0]}")
        await asyncio.sleep(1)
        before = rss_mb(server.pid)
        results, samples, stop = Results(), [before], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server.pid, samples, stop))
        start = time.monotonic()
        deadline = start + args.time_limit
        await asyncio.gather(
            *(scenario(base, results, args.rounds, args.timeout, deadline, i + 1) for i in range(args.sessions)),
            return_exceptions=False,
        )
        wall = time.monotonic() - start
        await asyncio.sleep(3)  # sessions closed: does the memory come back?
        stop.set()
        await sampler
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    every = [t for ts in results.latencies.values() for t in ts]
    report = {
        "sessions": args.sessions,
        "rounds": args.rounds,
        "interactions": len(every),
        "skipped": results.skipped,
        "errors": len(results.errors),
        "error_examples": results.errors[:5],
        "wall_s": round(wall, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "p50_s": round(statistics.median(every), 3) if every else None,
        "p95_s": round(percentile(every, 95), 3) if every else None,
        "max_s": round(max(every), 3) if every else None,
        "by_interaction": {
            kind: {"n": len(ts), "p50_s": round(statistics.median(ts), 3), "p95_s": round(percentile(ts, 95), 3)}
            for kind, ts in results.latencies.items()
        },
        "server_rss_mb": {"before": round(before), "peak": round(max(samples)), "after": round(after)},
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help=f"concurrent sessions (1 to {MAX_SESSIONS})")
    parser.add_argument("--rounds", type=int, default=3, help="walks and translations per session (1 to 20)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one interaction may take")
    parser.add_argument("--time-limit", type=float, default=300.0, help=f"seconds for the whole run (≤ {MAX_SECONDS})")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be from 1 to {MAX_SESSIONS}")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be from 1 to 20")
    if not 0 < args.time_limit <= MAX_SECONDS or not 0 < args.timeout <= args.time_limit:
        parser.error(f"--time-limit must be in (0, {MAX_SECONDS}] and --timeout in (0, --time-limit]")
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rss = report["server_rss_mb"]
    print(
        f"{report['sessions']} sessions × {report['rounds']} rounds: {report['interactions']} interactions in "
        f"{report['wall_s']} s, {report['errors']} errors, {report['skipped']} skipped "
        f"(load average {report['load_average_1min']} on {report['cpus']} CPUs)"
    )
    print(f"latency p50 {report['p50_s']} s, p95 {report['p95_s']} s, max {report['max_s']} s")
    print(f"server RSS: {rss['before']} MB before, {rss['peak']} MB peak, {rss['after']} MB after the sessions")
    print(f"{'interaction':32s} {'n':>4s} {'p50 s':>7s} {'p95 s':>7s}")
    for kind, row in report["by_interaction"].items():
        print(f"{kind:32s} {row['n']:4d} {row['p50_s']:7.3f} {row['p95_s']:7.3f}")
    for example in report["error_examples"]:
        print(f"error: {example}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
