"""`jupyter mo model ...` as a user types it (a subprocess; no server): a job's model listed and
shown, a file registered by hand, downloaded as a zip, deleted; refusals are one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TRAIN = ("import json, os\nos.makedirs('results', exist_ok=True)\n"
         "print(json.dumps({'metric': 'loss', 'value': 0.25, 'step': 0}))\n"
         "open('results/net.pt', 'wb').write(b'w' * 300)\n")


def mo(*args, cwd, check=True):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


def test_list_show_register_download_delete(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    job_id = mo("job", "run", "train.py", "--wait", cwd=tmp_path).stdout.strip()
    listed = mo("model", "list", cwd=tmp_path).stdout
    assert "net:1" in listed and "pytorch" in listed and job_id in listed
    shown = json.loads(mo("model", "show", "net", "--json", cwd=tmp_path).stdout)
    assert shown["id"] == "net:1" and shown["lineage"]["job"]["id"] == job_id
    assert shown["lineage"]["metrics"]["loss"] == {"last": 0.25, "best": 0.25, "steps": 1}

    (tmp_path / "clf.joblib").write_bytes(b"c" * 50)
    assert mo("model", "register", "clf.joblib", "--description", "by hand", cwd=tmp_path).stdout.strip() == "clf:1"

    out = mo("model", "download", "net:1", "--out", str(tmp_path / "net.zip"), cwd=tmp_path).stdout.strip()
    with zipfile.ZipFile(out) as z:
        assert [(i.filename, i.file_size) for i in z.infolist()] == [("net.pt", 300)]

    assert mo("model", "delete", "clf:1", cwd=tmp_path).stdout.strip() == "deleted clf:1"
    for args, says in ((("model", "delete", "clf:1"), "no model"), (("model", "register", "../x"), "outside")):
        proc = mo(*args, cwd=tmp_path, check=False)
        assert proc.returncode == 2 and says in proc.stderr and len(proc.stderr.splitlines()) == 1, proc


def test_a_task_s_model_deploys_and_publishes_from_the_command_line(tmp_path):
    catalog = tmp_path / "my-catalog"
    mo("task", "create", "bayes", "--module", "mo/text_classifier_bayes", "--dataset", "mo/text_zh_en",
       "--start", "--wait", cwd=tmp_path)
    name = json.loads(mo("model", "list", "--json", cwd=tmp_path).stdout)[0]["name"]
    assert name == "text_classifier_bayes"
    deployed = mo("model", "deploy", f"{name}:1", "--json", cwd=tmp_path)
    view = json.loads(deployed.stdout)
    try:
        assert view["state"] == "running" and view["model"] == {"name": name, "version": 1}
        import urllib.request
        req = urllib.request.Request(f"http://127.0.0.1:{view['port']}/api/run", method="POST",
                                     data=json.dumps({"app": {"input": {"text": "下雨了，明天有雪"}}}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["output"]["label"] == "weather"
    finally:
        mo("service", "delete", view["id"], cwd=tmp_path)
    out = mo("model", "publish", f"{name}:1", "--catalog", str(catalog), "--owner", "alice", cwd=tmp_path).stdout
    assert out.strip() == f"published alice/{name} 1.0.0"
    assert (catalog / f"modules/alice/{name}/1.0.0/results/bayes_model.json").is_file()
    proc = mo("model", "deploy", "nope:1", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "no model" in proc.stderr
