"""The FIFOs a docker job's output goes through (jobs/backends/fifos.py), without an engine: made
0600 for the container's user (never in a folder that was there), read ends that read as empty
(not as the end) until our own write end of the same FIFO goes, only FIFOs opened (never a planted
file or link), their names removed with their folder."""

from __future__ import annotations

import os
import stat

import pytest

from mo_jupyter.jobs.backends import fifos


def me() -> str:
    return f"{os.geteuid()}:{os.getegid()}"


def test_made_for_the_containers_user_and_removed(tmp_path):
    pipes = fifos.make(tmp_path, me())
    assert pipes == {s: tmp_path / fifos.DIR / s for s in ("stdout", "stderr")}
    for path in pipes.values():
        st = path.lstat()
        assert stat.S_ISFIFO(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    fifos.remove(pipes)
    assert not (tmp_path / fifos.DIR).exists()


def test_never_made_in_a_folder_that_was_there_and_that_is_left_alone(tmp_path):
    planted = tmp_path / fifos.DIR
    planted.mkdir()
    (planted / "stdout").write_text("someone's file")
    assert fifos.make(tmp_path, me()) is None
    assert (planted / "stdout").read_text() == "someone's file"


def test_another_users_fifos_only_when_we_may_give_them(tmp_path):
    other = "54321:54321"
    pipes = fifos.make(tmp_path, other)
    if os.geteuid() == 0:  # root gives them to the container's user
        assert all(p.stat().st_uid == 54321 for p in pipes.values())
    else:  # they could not be opened by it: the output goes through the engine
        assert pipes is None and not (tmp_path / fifos.DIR).exists()
    assert fifos.make(tmp_path / "x", "not-a-user") is None
    assert fifos.make(tmp_path / "no-such-folder" / "job", me()) is None  # cannot be made: none half made
    assert not (tmp_path / "no-such-folder").exists()


def test_a_fifo_reads_as_empty_until_our_end_goes_then_as_its_end(tmp_path):
    pipes = fifos.make(tmp_path, me())
    readers, holds = fifos.open_ends(pipes)
    try:
        with pytest.raises(BlockingIOError):  # nobody wrote yet: empty, not the end
            os.read(readers["stdout"], 100)
        job = os.open(pipes["stdout"], os.O_RDWR)  # as the job's shell opens it: 1<>
        os.write(job, b"line 1\n")
        os.close(job)
        assert os.read(readers["stdout"], 100) == b"line 1\n"
        pipes["stdout"].unlink()  # the name goes once the container started: the FIFO stays
        job = os.open(f"/proc/self/fd/{holds[0]}", os.O_WRONLY)  # the same FIFO our ends hold
        os.write(job, b"line 2\n")
        os.close(job)
        assert os.read(readers["stdout"], 100) == b"line 2\n"
        for fd in holds:
            os.close(fd)
        holds = []
        assert os.read(readers["stdout"], 100) == b""  # every write end gone: the end
    finally:
        for fd in [*readers.values(), *holds]:
            os.close(fd)


@pytest.mark.parametrize("planted", ["file", "link"])
def test_only_fifos_are_opened(tmp_path, planted):
    pipes = fifos.make(tmp_path, me())
    target = tmp_path / "elsewhere"
    target.write_text("not output")
    pipes["stderr"].unlink()
    if planted == "file":
        pipes["stderr"].write_text("a file in a FIFO's place")
    else:
        pipes["stderr"].symlink_to(target)
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError):
        fifos.open_ends(pipes)
    assert len(os.listdir("/proc/self/fd")) == before  # what was opened before the refusal is closed


def test_the_wrapper_points_both_streams_at_the_fifos_then_runs_the_command():
    cmd = fifos.wrap(["python3", "-u", "train.py", "--lr", "0.1; rm -rf /"])
    assert cmd[:2] == ["/bin/sh", "-c"] and cmd[2] == fifos.WRAPPER and cmd[3] == "mo-job"
    assert cmd[4:] == ["python3", "-u", "train.py", "--lr", "0.1; rm -rf /"]  # arguments, never shell text
