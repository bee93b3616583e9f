"""GET mo/api/help/<name>?lang=: the Help menu's documents, in English and Chinese, from a fixed list."""

from __future__ import annotations

from mo_jupyter.help import DOCS


async def test_each_document_in_both_languages(api):
    for name in DOCS:
        en = await api.get(f"help/{name}", params={"lang": "en"})
        zh = await api.get(f"help/{name}", params={"lang": "zh_CN"})
        assert en.code == 200 and zh.code == 200, (en, zh)
        assert en.json["lang"] == "en" and zh.json["lang"] == "zh_CN"
        assert en.json["markdown"].startswith("# ") and en.json["title"] in en.json["markdown"]
        assert zh.json["markdown"] != en.json["markdown"]
        assert any("\u4e00" <= c <= "\u9fff" for c in zh.json["title"]), zh.json["title"]
        assert not any("\u4e00" <= c <= "\u9fff" for c in en.json["title"]), en.json["title"]


async def test_language_tags_and_default(api):
    zh = (await api.get("help/memory", params={"lang": "zh_CN"})).json["markdown"]
    for tag in ("zh", "zh-CN", "zh_TW", "ZH-Hans"):
        r = await api.get("help/memory", params={"lang": tag})
        assert r.code == 200 and r.json["lang"] == "zh_CN" and r.json["markdown"] == zh, tag
    for params in ({}, {"lang": "fr"}, {"lang": ""}, {"lang": "x" * 5000}):
        r = await api.get("help/memory", params=params)
        assert r.code == 200 and r.json["lang"] == "en", params
        assert r.json["title"] == "Saving memory in notebooks"


async def test_only_the_listed_names(api, root):
    (root / "secret.md").write_text("# secret\n")
    for name in ("nosuch", "..", "%2E%2E%2Fsecret", "memory.md", "en", "__init__", "Memory"):
        r = await api.get(f"help/{name}")
        assert r.code == 404 and "no help document" in r.json["message"] and "markdown" not in r.json, (name, r)
    r = await api.get("help/memory", params={"what": "1"})
    assert r.code == 400 and "unknown query argument" in r.json["message"]
    r = await api.call("POST", "help/memory")
    assert r.code == 405
