"""A killed writer leaves whole batches; a reader following the log never skips an event."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

from sqlalchemy.engine import Engine

import events
from tests.integration.support import make_store, noted

WRITER = textwrap.dedent(
    """
    import sys, time
    import events
    from tests.integration.support import make_store, noted

    class Stall:
        name = "stall"
        tables = ()
        def apply(self, conn, batch):
            # The batch is inserted, not committed: this is the middle of the batch.
            print("in batch", flush=True)
            time.sleep(60)

    url, master_key, mode = sys.argv[1:]
    engine = events.create_engine(url)
    if mode == "stall":
        store = make_store(engine, master_key, inline_projections=[Stall()])
        store.append("case-1", 0, [noted(str(i)) for i in range(500)])
    else:
        store = make_store(engine, master_key)
        print("writing", flush=True)
        version = 0
        while True:
            version = store.append("case-1", version, [noted(str(i)) for i in range(50)])
            version = version.stream_version
    """
)


def start_writer(engine: Engine, master_key: str, mode: str) -> subprocess.Popen[str]:
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, master_key, mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )


def kill_when_ready(writer: subprocess.Popen[str], delay: float) -> None:
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() in {"in batch", "writing"}
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)


def test_a_writer_killed_in_the_middle_of_a_batch_leaves_none_of_it(
    engine: Engine, master_key: str
) -> None:
    kill_when_ready(start_writer(engine, master_key, "stall"), delay=0)

    store = make_store(engine, master_key)
    assert store.read_stream("case-1") == []
    store.append("case-1", 0, [noted("the store goes on")])
    assert [e.position for e in store.read_all()] == [1]


def test_a_writer_killed_at_any_moment_leaves_whole_batches(
    engine: Engine, master_key: str
) -> None:
    kill_when_ready(start_writer(engine, master_key, "loop"), delay=random.uniform(0.2, 0.6))

    stream = make_store(engine, master_key).read_stream("case-1")
    assert len(stream) % 50 == 0
    assert [e.stream_version for e in stream] == list(range(1, len(stream) + 1))
    assert [e.data["text"] for e in stream] == [str(i % 50) for i in range(len(stream))]


def test_a_follower_sees_every_event_once_in_order_while_eight_write(
    engine: Engine, master_key: str
) -> None:
    store = make_store(engine, master_key, batch_size=50)
    writers_done = threading.Event()
    seen: list[events.RecordedEvent] = []

    def write(number: int) -> None:
        for version in range(25):
            with store.transaction() as conn:
                store.append(f"case-{number}", version, [noted(f"{number}:{version}")], conn=conn)
                # A slow transaction: without ordered commits a later position could
                # become visible first and the follower would move past this one.
                time.sleep(random.uniform(0, 0.004))

    def follow() -> None:
        position = 0
        while True:
            finished = writers_done.is_set()
            before = position
            for event in store.read_all(from_position=position):
                seen.append(event)
                position = event.position
            if finished:
                return
            if position == before:
                time.sleep(0.001)

    follower = threading.Thread(target=follow)
    writers = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    follower.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writers_done.set()
    follower.join()

    assert [e.position for e in seen] == list(range(1, 8 * 25 + 1))
    assert sorted(e.data["text"] for e in seen) == sorted(
        f"{n}:{v}" for n in range(8) for v in range(25)
    )
