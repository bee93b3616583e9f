"""Through the REST API: a failed job's reason is the error it printed, where it was raised."""

from __future__ import annotations

from helpers import write

FAILING = 'import json\n\nconfig = {"train": 1}\n\ndef main():\n    return config["test"]\n\n\nmain()\n'


async def test_a_failed_jobs_reason_is_its_last_exception_line(api, root):
    write(root, "sub/failing.py", FAILING)
    job = await api.create({"path": "sub/failing.py"})
    done = await api.wait_state(job["id"])
    assert done["state"] == "failed" and done["exit_code"] == 1, done
    assert done["reason"] == "KeyError: 'test' (sub/failing.py:6)"
    listed = (await api.get("jobs")).json
    listed = listed["jobs"] if isinstance(listed, dict) else listed
    assert [j["reason"] for j in listed if j["id"] == job["id"]] == [done["reason"]]
    assert str(root) not in done["reason"]  # never an absolute path of the server's machine


async def test_a_failure_that_prints_nothing_keeps_the_exit_code_reason(api, root):
    write(root, "quiet.py", "import sys\nsys.exit(4)\n")
    done = await api.wait_state((await api.create({"path": "quiet.py"}))["id"])
    assert done["state"] == "failed" and done["exit_code"] == 4
    assert done["reason"] == "exited with code 4"
