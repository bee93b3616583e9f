"""A service's record and snapshot are files that a user, another program or an archive can write:
a port, key or count of the wrong type is a broken record (listed with the reason, never used), a
deploy runs only what is inside the project (no handler.py / app_spec.yml through a link leading
out, no `handler:` climbing out; the linked file's content never shows), an interrupted deploy's
staging folders go with the next deploy, each deploy starts its log with a dated line, and the
key is made once, kept across redeploys and changed only when asked."""

from __future__ import annotations

import json
import os
import stat

import pytest

from mo_jupyter.errors import BadRequest, MoError, ServiceUnavailable
from mo_jupyter.services.manager import ServiceManager
from mo_jupyter.services.proxy import app_route, forwarded_query
from mo_jupyter.services.record import BrokenRecord, check_record, key_matches, read_record

from .apphelpers import HANDLE, SPEC, app_project

SECRET = "root:x:0:0:the secret content of a file outside the project\n"


@pytest.fixture
def project(tmp_path):
    root = app_project(tmp_path)
    (tmp_path / "outside.yml").write_text(SECRET)
    (tmp_path / "outside.py").write_text("import os\nos.system('echo ran outside')\n" + HANDLE)
    return root


def record_of(root, sid):
    return json.loads((root / ".mo/services" / sid / "service.json").read_text())


def rewrite(root, sid, **fields):
    path = root / ".mo/services" / sid / "service.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **fields}))


@pytest.mark.parametrize("port", ["1@evil.example:80", "8080", True, 80, 70000, 8080.5, None, [8080]])
def test_a_record_with_a_bad_port_is_listed_broken_and_never_used(project, port):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", [], "local", 0)
    rewrite(project, "app-dev", port=port)
    [view] = mgr.list()
    assert view["state"] == "failed" and "port" in view["reason"], view
    with pytest.raises(BrokenRecord):
        mgr.target("app-dev")
    with pytest.raises(BrokenRecord):
        mgr.scale("app-dev", 1)
    mgr.delete("app-dev")  # a broken record can still be deleted
    assert mgr.list() == []


@pytest.mark.parametrize("field, value", [("replicas", "3"), ("replicas", 99), ("replicas", False), ("key", "short"),
                                          ("key", 12345678901234567890), ("protected", "yes"), ("id", "other-dev"),
                                          ("backend", None), ("timeout", -1), ("machine", "../x")])
def test_every_field_a_process_or_url_gets_is_checked(project, field, value):
    mgr = ServiceManager(project)
    record = mgr.deploy("", "app", "dev", [], "local", 0)
    record = {k: v for k, v in record_of(project, "app-dev").items()}
    check_record(record, "app-dev")  # as deployed: fine
    with pytest.raises(BrokenRecord):
        check_record({**record, field: value}, "app-dev")


def test_a_record_that_is_a_link_or_huge_is_refused(project, tmp_path):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", [], "local", 0)
    folder = project / ".mo/services/app-dev"
    real = tmp_path / "elsewhere.json"
    real.write_text((folder / "service.json").read_text())
    (folder / "service.json").unlink()
    os.symlink(real, folder / "service.json")
    with pytest.raises(OSError):
        read_record(folder)
    (folder / "service.json").unlink()
    (folder / "service.json").write_text(" " * (5 * 1024 * 1024))
    with pytest.raises(BrokenRecord):
        read_record(folder)


def test_the_key_is_made_once_kept_across_redeploys_and_changed_when_asked(project):
    mgr = ServiceManager(project)
    view = mgr.deploy("", "app", "dev", [], "local", 0)
    assert view["protected"] is False and "key" not in view  # views never carry it (a reader sees them)
    first = mgr.key("app-dev")
    assert first["protected"] is False and len(first["key"]) == 32 and "key" not in mgr.get("app-dev")
    assert mgr.set_key("app-dev")["key"] == first["key"]  # neither protect nor rotate: only read it
    assert "key" not in mgr.list()[0]
    assert stat.S_IMODE(os.stat(project / ".mo/services/app-dev/service.json").st_mode) == 0o600
    assert mgr.deploy("", "app", "dev", [], "local", 0, protected=True)["protected"] is True
    again = mgr.key("app-dev")
    assert again["key"] == first["key"] and again["protected"] is True
    assert mgr.deploy("", "app", "dev", [], "local", 0)["protected"] is True  # a redeploy keeps the setting
    rotated = mgr.set_key("app-dev", rotate=True)
    assert rotated["key"] != first["key"] and rotated["protected"] is True
    record = record_of(project, "app-dev")
    assert key_matches(record, rotated["key"]) and not key_matches(record, first["key"])
    assert not key_matches(record, "") and not key_matches(record, None) and not key_matches({}, "x")
    assert mgr.key_matches("app-dev", rotated["key"]) and not mgr.key_matches("nope-dev", rotated["key"])
    assert mgr.set_key("app-dev", protected=False)["protected"] is False
    with pytest.raises(BadRequest):
        mgr.set_key("app-dev", protected="no")
    # a record from before keys gets one when it is first looked at
    record = record_of(project, "app-dev")
    del record["key"], record["protected"]
    (project / ".mo/services/app-dev/service.json").write_text(json.dumps(record))
    view = mgr.get("app-dev")
    assert "key" not in view and view["protected"] is False and len(record_of(project, "app-dev")["key"]) == 32
    assert mgr.key("app-dev")["key"] == record_of(project, "app-dev")["key"]


@pytest.mark.parametrize("name", ["handler.py", "app_spec.yml"])
def test_an_app_file_linking_out_of_the_project_is_refused_unread(project, tmp_path, name):
    (project / name).unlink()
    os.symlink(tmp_path / ("outside.py" if name == "handler.py" else "outside.yml"), project / name)
    mgr = ServiceManager(project)
    with pytest.raises(BadRequest) as err:
        mgr.deploy("", "app", "dev", [], "local", 1)
    assert f"'{name}' links outside the project" in err.value.message
    assert "secret" not in err.value.message and "ran outside" not in err.value.message
    assert not (project / ".mo/services/app-dev").exists()


def test_a_handler_key_climbing_out_is_refused_before_anything_runs(project, tmp_path):
    (project / "app_spec.yml").write_text(SPEC + "handler: ../outside.py\n")
    mgr = ServiceManager(project)
    with pytest.raises(BadRequest) as err:
        mgr.deploy("", "app", "dev", [], "local", 1)
    assert "handler" in err.value.message and "ran outside" not in err.value.message
    assert not (project / ".mo/services/app-dev").exists()


def test_a_later_deploy_removes_what_an_interrupted_one_left(project):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", [], "local", 0)
    left = [project / ".mo/services/app-dev/.app-k2j4h1", project / ".mo/services/app-dev/.mo-old-zz9"]
    for folder in left:
        (folder / "results").mkdir(parents=True)
        (folder / "results/big.bin").write_bytes(b"0" * 1000)
    mgr.deploy("", "other", "dev", [], "local", 0)  # any deploy of the project
    assert not any(folder.exists() for folder in left)
    assert not [p.name for p in (project / ".mo/services/app-dev").iterdir() if p.name.startswith(".")]


def test_each_deploy_starts_its_log_with_a_dated_line(project):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", [], "local", 0)
    mgr.deploy("", "app", "dev", [], "local", 0)
    text = mgr.logs("app-dev")["text"]
    lines = [line for line in text.splitlines() if line.startswith("===== app-dev deployed at ")]
    assert len(lines) == 2 and "local, 0 replica(s)" in lines[0], text


def test_the_proxy_forwards_only_the_app_servers_routes():
    assert app_route("/api/run", "POST") and app_route("/", "GET") and app_route("/healthz", "HEAD")
    for path, method in (("/api/run", "GET"), ("/api/spec", "POST"), ("/docs", "GET"), ("/api/run/", "POST"),
                         ("/api/../api/run", "POST"), ("//api/run", "POST"), ("/API/RUN", "POST"), ("", "GET")):
        assert not app_route(path, method), (path, method)
    assert forwarded_query("x=1&token=abc&y=a+b&tokens=2") == "x=1&y=a+b&tokens=2"


def test_a_stopped_service_has_no_proxy_target(project):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", [], "local", 0)
    with pytest.raises(ServiceUnavailable) as err:
        mgr.target("app-dev")
    assert "not running" in err.value.message and err.value.status == 503
    with pytest.raises(MoError) as err:
        mgr.target("nope-dev")
    assert err.value.status == 404
