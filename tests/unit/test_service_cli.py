"""`jupyter mo handle generate`, `jupyter mo deploy` and `jupyter mo service ...` end to end from a
shell: real replica processes on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.request

import nbformat
import pytest

from mo_jupyter.cli.main import main

HANDLE = '''def handle(conf):
    text = conf.get('text', 'hi')  # value_type: str # description: what to shout
    return {'shout': text.upper() + '!'}  # value_type: str
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(tmp_path / "shout.ipynb"))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    main(["service", "delete", "shouter-prod"])  # never leave replicas behind


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def call(url: str, body: dict) -> dict:
    req = urllib.request.Request(url + "api/run", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_generate_deploy_and_operate_from_the_shell(project, capsys):
    code, _, err = run(capsys, "handle", "generate", "shout.ipynb")
    assert code == 0, err
    assert (project / "handler.py").is_file() and (project / "app_spec.yml").is_file()
    code, out, err = run(capsys, "deploy", "--name", "shouter", "--version", "prod", "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["state"] == "running" and view["id"] == "shouter-prod"
    assert call(view["url"], {"app": {"input": {"text": "mo"}}}) == {"output": {"shout": "MO!"}}
    assert call(view["url"], {"app": {"input": {}}}) == {"output": {"shout": "HI!"}}  # the default

    code, out, _ = run(capsys, "service", "scale", "shouter-prod", "3")
    assert code == 0 and "running, 3/3 replica(s)" in out
    code, out, _ = run(capsys, "service", "stop", "shouter-prod")
    assert code == 0 and "stopped, 0/0" in out
    code, out, _ = run(capsys, "service", "start", "shouter-prod")  # as many replicas as before the stop
    assert code == 0 and "running, 3/3" in out and view["url"] in out  # the same address
    code, out, _ = run(capsys, "service", "start", "shouter-prod")  # running already: left as it is
    assert code == 0 and "running, 3/3" in out
    code, out, _ = run(capsys, "service", "scale", "shouter-prod", "1")
    assert code == 0 and "running, 1/1" in out
    code, out, _ = run(capsys, "service", "list")
    assert "shouter-prod" in out and "running" in out
    code, out, _ = run(capsys, "service", "logs", "shouter-prod")
    assert "serving" in out
    code, tail, _ = run(capsys, "service", "logs", "shouter-prod", "--tail", "20")
    assert code == 0 and len(tail.encode()) <= 20 and out.endswith(tail)
    code, out, _ = run(capsys, "service", "delete", "shouter-prod")
    assert code == 0
    code, _, err = run(capsys, "service", "logs", "shouter-prod")
    assert code == 2 and "no service 'shouter-prod'" in err


def test_the_shell_reads_the_servers_config(project, capsys, monkeypatch, tmp_path_factory):
    """`jupyter mo` takes its backends and job folder from the Jupyter config files the server reads,
    so `--backend docker` works from a shell where the server has it (and names what is enabled)."""
    config = tmp_path_factory.mktemp("jupyter_config")
    (config / "jupyter_server_config.json").write_text(json.dumps({"MoJupyterApp": {
        "jobs_dir": ".records/jobs", "backends": {"local": {}, "docker": {"machines": {"cpu": {"image": "x"}}}}}}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    (project / "hello.py").write_text("print('hello')\n")
    code, out, err = run(capsys, "job", "run", "hello.py", "--wait")
    assert code == 0, err
    assert (project / ".records/jobs" / out.strip() / "output.log").read_text() == "hello\n"
    code, out, _ = run(capsys, "--jobs-dir", ".other", "job", "list")  # the command line wins
    assert code == 0 and "hello" not in out
    assert run(capsys, "handle", "generate", "shout.ipynb")[0] == 0
    code, _, err = run(capsys, "deploy", "--backend", "swarm")
    assert code == 2 and "unknown service backend 'swarm' (enabled: local, docker)" in err


def test_the_access_key_from_the_shell(project, capsys):
    assert run(capsys, "handle", "generate", "shout.ipynb")[0] == 0
    code, out, err = run(capsys, "deploy", "--name", "shouter", "--version", "prod", "--replicas", "0", "--protect")
    assert code == 0 and "(key required)" in out, (out, err)
    code, out, _ = run(capsys, "service", "key", "shouter-prod", "--json")
    first = json.loads(out)
    assert code == 0 and first["protected"] is True and len(first["key"]) == 32
    code, out, _ = run(capsys, "service", "key", "shouter-prod", "--rotate", "--unprotect", "--json")
    second = json.loads(out)
    assert code == 0 and second["protected"] is False and second["key"] != first["key"]
    code, out, _ = run(capsys, "service", "key", "shouter-prod")
    assert code == 0 and second["key"] in out and "not asked for" in out
