"""The test page follows the user's language: ``?lang=`` (what the Test tab passes from JupyterLab's
language), else the browser's Accept-Language, else English. Driven through the app server's own
ASGI entry (a real ServeApp over a real app folder), no mocks."""

from __future__ import annotations

import asyncio
import re

import pytest

from mo_jupyter.handle.spec import validate
from mo_jupyter.serve.app import ServeApp
from mo_jupyter.serve.page import TEXTS, page_language, test_page as render_page

SPEC = """\
name: Digits
input:
  x: {value_type: float, description: the number}
  tags: {value_type: "[int]", optional: true}
  mode: {value_type: str, value_range: [a, b], optional: true}
  img: {value_type: img, optional: true}
output:
  y: {value_type: float}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    (folder / "app_spec.yml").write_text(SPEC)
    (folder / "handler.py").write_text("def handle(conf):\n    return {'y': conf['x'] * 2}\n")
    serve = ServeApp(folder)
    yield serve
    serve.runner.close()


def get(app: ServeApp, path: str = "/", query: bytes = b"", headers=()) -> tuple[int, dict, str]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": list(headers)}
    asyncio.run(app(scope, receive, send))
    head = dict(sent[0]["headers"])
    return sent[0]["status"], head, b"".join(m.get("body", b"") for m in sent[1:]).decode()


@pytest.mark.parametrize("lang, accept, expected", [
    (None, None, "en"),
    ("zh_CN", None, "zh_CN"), ("zh-CN", None, "zh_CN"), ("zh", None, "zh_CN"), ("ZH-hans", None, "zh_CN"),
    ("en", "zh-CN,zh;q=0.9", "en"),  # the Test tab's choice wins over the browser's
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
    (None, "fr-FR, en-US;q=0.8, zh;q=0.5", "en"),
    (None, "en;q=0.3, zh-TW;q=0.7", "zh_CN"),
    (None, "zh;q=0, en;q=0.1", "en"),
    ("klingon", "zh", "zh_CN"), ("klingon", "fr", "en"), (None, "q=;;,,;q=x", "en"), ("x" * 5000, "z" * 5000, "en"),
])
def test_page_language(lang, accept, expected):
    assert page_language(lang, accept) == expected


def test_every_string_has_both_languages():
    assert set(TEXTS["en"]) == set(TEXTS["zh_CN"])
    assert all(TEXTS["zh_CN"][k] != TEXTS["en"][k] for k in TEXTS["en"] if k not in ("hint_datetime",)), \
        [k for k in TEXTS["en"] if TEXTS["zh_CN"][k] == TEXTS["en"][k]]


def test_the_app_serves_the_page_in_the_asked_language(app):
    status, head, en = get(app)
    assert status == 200 and head[b"content-type"].startswith(b"text/html")
    assert '<html lang="en">' in en and ">Run</button>" in en and "Use drawing" in en
    status, _, zh = get(app, query=b"lang=zh_CN")
    assert status == 200 and '<html lang="zh-CN">' in zh
    assert ">运行</button>" in zh and "使用手绘" in zh and "用逗号分隔的整数" in zh and "（默认）" in zh
    assert "Use drawing" not in zh and ">Run<" not in zh and "request failed" not in zh
    # the script's strings: one JSON object, in the page's language
    assert '"running": "运行中..."' in zh and '"running": "running..."' in en
    # Accept-Language when opened directly; the query argument wins; the token is no concern of the page
    assert get(app, headers=[(b"accept-language", b"zh-CN,zh;q=0.9")])[2] == zh
    assert get(app, query=b"token=abc&lang=en", headers=[(b"accept-language", b"zh")])[2] == en
    assert get(app, query=b"lang=zh%5FCN")[2] == zh
    assert get(app, query=b"lang=%ff%fe&lang=zh")[2] == en  # the first lang argument counts; unknown: en
    # the spec's own strings stay as written, the same in both
    assert "<h1>Digits</h1>" in zh and "the number" in zh


def test_script_strings_cannot_end_the_script():
    spec = validate({"input": {}, "output": {}})
    for lang, key in (("en", "key"), ("zh_CN", "密钥")):
        script = re.search(r"<script>(.*)</script>", render_page(spec, lang), re.S).group(1)
        texts = script.split(";", 1)[0]  # const T={...}
        assert "<" not in texts and f"\\u003c{key}\\u003e" in texts  # <key> in need_key
    page = render_page(spec, "zh_CN")
    assert "这个应用没有输入。" in page and render_page(spec, "nosuch") == render_page(spec, "en")
