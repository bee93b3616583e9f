"""handle(conf) -> app_spec + problems: a corpus of handle styles, read with ast/tokenize only."""

import textwrap

import pytest

from mo_jupyter.errors import BadRequest
from mo_jupyter.handle.parse import scan_notebook, scan_source
from mo_jupyter.handle.reader import comment_fields
from mo_jupyter.handle.spec import dump_app_spec, validate
from mo_jupyter.handle.template import HANDLE_TEMPLATE


def scan(src):
    result = scan_source(textwrap.dedent(src))
    validate(result["spec"])  # whatever the problems, the spec is valid
    dump_app_spec(result["spec"])
    return result


def msgs(result, severity=None):
    return [p["message"] for p in result["problems"] if severity in (None, p["severity"])]


def nb(*sources, markdown=()):
    cells = []
    for i, s in enumerate(sources):
        kind = "markdown" if i in markdown else "code"
        cells.append({"cell_type": kind, "source": textwrap.dedent(s), "metadata": {}})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def test_template_parses_cleanly():
    r = scan(HANDLE_TEMPLATE)
    assert r["problems"] == []
    assert list(r["spec"]["input"]) == ["x"] and list(r["spec"]["output"]) == ["y"]
    assert r["spec"]["input"]["x"]["value_type"] == "float"
    assert r["spec"]["input"]["x"]["value_range"] == ">=0"
    assert r["spec"]["output"]["y"] == {"name": "y", "value_type": "float", "description": "twice x"}
    for t in ("img", "video", "audio", "[float]", "params['key']", "optional: true", "value_range"):
        assert t in HANDLE_TEMPLATE


def test_comment_form_with_every_field():
    r = scan("""
        def handle(conf):
            a = conf['a']  # value_type: int # description: how many # value_range: 0-10 # optional: true
            b = conf["b"]  # value_type: [str] # value_range: [red, green]
            c = conf['c']  # type: img # des: a picture  (legacy keys)
            d = conf['d']  # value_type: float # value_range: {min: 0, max: 1.5} # required: true
            return {'n': a}  # value_type: int
    """)
    assert r["problems"] == []
    i = r["spec"]["input"]
    assert i["a"] == {"name": "a", "value_type": "int", "description": "how many", "value_range": "0-10",
                      "optional": True}
    assert i["b"]["value_range"] == ["red", "green"] and i["b"]["value_type"] == "[str]"
    assert i["c"]["value_type"] == "img" and i["c"]["description"] == "a picture  (legacy keys)"
    assert i["d"]["value_range"] == {"min": 0, "max": 1.5} and i["d"]["optional"] is False


def test_legacy_params_form():
    r = scan("""
        def handle(conf):
            params = {}
            params['lr'] = 0.01  # value_type: float # description: learning rate
            params['epochs'] = 3
            params['name'] = conf['name']  # value_type: str
            return {'ok': True}  # value_type: bool
    """)
    i = r["spec"]["input"]
    assert i["lr"] == {"name": "lr", "value_type": "float", "description": "learning rate", "default_value": 0.01}
    assert i["epochs"]["value_type"] == "int" and i["epochs"]["default_value"] == 3
    assert "input 'epochs': no value_type comment; guessed int from the default" in msgs(r, "warning")
    assert i["name"]["value_type"] == "str" and "default_value" not in i["name"]
    assert not msgs(r, "error")


def test_conf_get_defaults_and_guesses():
    r = scan("""
        def handle(conf):
            t = conf.get('threshold', 0.5)
            k = conf.get('k', 3)  # value_type: int # value_range: >=1
            tags = conf.get('tags', ['a', 'b'])
            maybe = conf.get('maybe')  # value_type: str
            none = conf.get('none', None)  # value_type: float
            weird = conf.get('weird', make())  # value_type: int
            flag = conf.get('flag', (True))
            return {'y': t}  # value_type: float
    """)
    i = r["spec"]["input"]
    assert i["threshold"]["value_type"] == "float" and i["threshold"]["default_value"] == 0.5
    assert "input 'threshold': no value_type comment; guessed float from the default" in msgs(r, "warning")
    assert i["k"] == {"name": "k", "value_type": "int", "default_value": 3, "value_range": ">=1"}
    assert i["tags"]["value_type"] == "[str]" and i["tags"]["default_value"] == ["a", "b"]
    assert i["maybe"]["optional"] is True and "default_value" not in i["maybe"]
    assert i["none"]["optional"] is True and "default_value" not in i["none"]
    assert i["weird"]["optional"] is True and "default_value" not in i["weird"]
    assert any("not a literal" in m for m in msgs(r, "warning"))
    assert i["flag"]["value_type"] == "bool"
    assert not msgs(r, "error")


def test_no_comments_at_all():
    r = scan("""
        def handle(conf):
            x = conf['x']
            return {'y': x * 2}
    """)
    assert r["spec"]["input"]["x"]["value_type"] == "str"
    assert any("input 'x': no value_type comment" in m for m in msgs(r, "error"))
    assert any("output 'y' has no value_type comment" in m for m in msgs(r, "warning"))
    assert r["spec"]["output"]["y"]["value_type"] == "str"


def test_nested_functions_decorators_annotations():
    r = scan("""
        import functools

        def handle_helper(conf):
            return conf['not_an_input']

        def outer():
            def handle(conf):  # nested: does not count
                return {}

        @functools.lru_cache(maxsize=None)
        def load():
            return 1

        @some.decorator(arg=1)
        def handle(cfg: dict, extra: int = 0) -> dict:
            def helper():
                return cfg['inner']  # value_type: int
            def shadow(cfg):
                return cfg['shadowed']
            f = lambda: {'lam': 1}
            scale = cfg['scale']  # value_type: float
            return {'out': helper() * scale}  # value_type: float
    """)
    assert sorted(r["spec"]["input"]) == ["inner", "scale"]
    assert list(r["spec"]["output"]) == ["out"]
    assert r["problems"] == []


def test_multi_line_dict_return_and_other_returns():
    r = scan("""
        def handle(conf):
            x = conf['x']  # value_type: int
            if x < 0:
                return None
            if x == 0:
                return {**base, 'zero': True}  # value_type: bool
            if x == 1:
                return dict(one=1,  # value_type: int # description: just one
                            )
            if x == 2:
                return make_result(x)
            return {
                'label': 'big',   # value_type: str # description: 标签 (label)
                'score': 0.9,     # value_type: float
                'image': encode(  # value_type: img
                    x),
                'plain': x,
            }
    """)
    out = r["spec"]["output"]
    assert set(out) == {"zero", "one", "label", "score", "image", "plain"}
    assert out["label"]["description"] == "标签 (label)" and out["image"]["value_type"] == "img"
    assert out["one"] == {"name": "one", "value_type": "int", "description": "just one"}
    warnings = msgs(r, "warning")
    assert any("return {**...}" in m for m in warnings)
    assert any("not a dict literal" in m for m in warnings)
    assert any("return without a dict" in m for m in warnings)
    assert any("output 'plain'" in m for m in warnings)
    assert not msgs(r, "error")


def test_key_read_twice():
    r = scan("""
        def handle(conf):
            a = conf['a']  # value_type: float # description: first
            b = conf['a']  # value_type: int
            c = conf['c']  # value_type: int
            d = conf.get('c', 2)
            return {}
    """)
    err = [p for p in r["problems"] if p["severity"] == "error"]
    assert len(err) == 1 and "'a' is read with two types: float (line 3) and int (line 4)" in err[0]["message"]
    assert err[0]["line"] == 4
    assert r["spec"]["input"]["c"] == {"name": "c", "value_type": "int", "default_value": 2}


@pytest.mark.parametrize("src, expected", [
    ("def handle(conf):\n    return {'a': 1\n", "syntax error"),
    ("def handle(conf)\n    pass\n", "syntax error"),
    ("x = 1\n", "no def handle(conf)"),
    ("handle = lambda conf: {}\n", "handle = lambda does not count"),
    ("class A:\n    def handle(self, conf):\n        return {}\n", "nested in another block"),
    ("def handle():\n    return {}\n", "handle has no parameter"),
    ("def handle(*args):\n    return {}\n", "handle has no parameter"),
    ("def handle(c):\n    return {}\ndef handle(c):\n    return {}\n", "2 def handle"),
    ("async def handle(c):\n    return {}\n", "async def"),
    ("def handle(c):\n    x = c['a']  # value_type: flaot\n    return {}\n", "unknown value_type 'flaot'"),
    ("def handle(c):\n    x = c['a']  # value_type: int # value_range: 5-1\n    return {}\n", "value_range"),
    ("def handle(c):\n    x = c['a-b']  # value_type: int\n    return {}\n", "not a valid name"),
    ("\x00def", "syntax error"),
])
def test_errors_are_problems_not_crashes(src, expected):
    r = scan_source(src)
    validate(r["spec"])
    assert any(expected in m for m in msgs(r, "error")), r["problems"]


def test_syntax_error_has_a_line():
    r = scan_source("import os\n\ndef handle(conf):\n    x = = 1\n")
    assert r["problems"][0]["line"] == 4 and r["problems"][0]["cell"] is None


def test_non_literal_key_warns():
    r = scan_source("def handle(conf):\n    k = 'a'\n    v = conf[k]\n    w = conf.get(k)\n    return {}\n")
    assert len([m for m in msgs(r, "warning") if "not a string literal" in m]) == 2
    assert r["spec"]["input"] == {}


def test_comment_fields():
    assert comment_fields("# value_type: float # description: the #1 value") == {
        "value_type": "float", "description": "the #1 value"}
    assert comment_fields("# value_type：int  # des：数量") == {"value_type": "int", "description": "数量"}
    assert comment_fields("# just a comment") == {}


def test_unicode_descriptions_roundtrip():
    r = scan("""
        def handle(conf):
            img = conf['img']  # value_type: img # description: 手写数字图片 (28x28)
            return {'digit': 3}  # value_type: int # description: 识别结果
    """)
    text = dump_app_spec(r["spec"])
    assert "手写数字图片 (28x28)" in text and "识别结果" in text


def test_parsing_never_runs_the_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = textwrap.dedent(f"""
        import os
        os.system('touch PWNED')
        open('x', 'w').write('x')
        open({str(tmp_path / 'abs')!r}, 'w')
        raise SystemExit(3)

        def handle(conf, d=os.system('touch DEFAULT')):
            v = conf.get('v', __import__('os').system('touch GET'))  # value_type: int
            return {{'r': open('R', 'w')}}  # value_type: str
    """)
    r = scan_source(src)
    nr = scan_notebook(nb(src))
    assert list(r["spec"]["input"]) == ["v"] and nr["spec"] == r["spec"]
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- notebooks

def test_notebook_default_selection_and_magics():
    book = nb(
        "# Title", "import numpy as np\n%matplotlib inline\n", "x = 1\nprint(x)\n",
        "!pip install foo\nfiles = !ls\n%%capture\n",
        """
        def handle(conf):
            %time y = 1
            a = conf['a']  # value_type: float
            if a:
                !echo hi
            return {'b': np.sqrt(a)}  # value_type: float
        """,
        "%%bash\necho hi\n",
        markdown=(0,),
    )
    r = scan_notebook(book)
    assert r["handle_cell"] == 4
    cells = {c["index"]: c for c in r["cells"]}
    assert 0 not in cells  # markdown: not listed
    assert [i for i, c in cells.items() if c["selected"]] == [1, 4]
    assert [i for i, c in cells.items() if c["magic"]] == [1, 3, 4, 5]
    assert cells[1]["source_preview"] == "import numpy as np"
    magic = [(p["cell"], p["line"]) for p in r["problems"] if "deployed app" in p["message"]]
    assert magic == [(1, 2), (4, 3), (4, 6)]  # only the selected cells are flagged
    assert not msgs(r, "error") and list(r["spec"]["input"]) == ["a"]
    assert any(m.startswith("!shell line '!echo hi'") for m in msgs(r))


def test_notebook_explicit_cells():
    book = nb("import os", "%%bash\nls", "def handle(conf):\n    return {'x': 1}  # value_type: int\n",
              "text", "def handle(conf):\n    return {}\n", markdown=(3,))
    r = scan_notebook(book, [0, 1, 2, 3])
    assert r["handle_cell"] == 2 and not msgs(r, "error")
    assert any("cell magic '%%bash'" in m for m in msgs(r, "warning"))
    assert any("cell 4 is not a code cell" in m for m in msgs(r, "warning"))
    both = scan_notebook(book, [2, 4])
    assert any("2 def handle in the selected cells (cell 3 line 1, cell 5 line 1)" in m for m in msgs(both, "error"))
    assert both["handle_cell"] == 4 and both["spec"]["output"] == {}
    none = scan_notebook(book, [0])
    assert any("no def handle(conf) in the selected cells" in m for m in msgs(none, "error"))
    with pytest.raises(BadRequest):
        scan_notebook(book, [9])


def test_notebook_syntax_error_in_a_cell():
    book = nb("import os", "def handle(conf):\n    x = conf['x'  # value_type: int\n", "y = (")
    r = scan_notebook(book)
    errs = [p for p in r["problems"] if p["severity"] == "error"]
    assert len(errs) == 1 and errs[0]["cell"] == 1 and errs[0]["message"].startswith("syntax error")
    assert [c["index"] for c in r["cells"] if c["selected"]] == [0, 1]
    assert r["handle_cell"] is None


def test_notebook_list_sources_and_bad_input():
    book = {"cells": [{"cell_type": "code", "source": ["def handle(conf):\n", "    return {'a': 1}  # value_type: int"]}]}
    assert scan_notebook(book)["spec"]["output"]["a"]["value_type"] == "int"
    with pytest.raises(BadRequest):
        scan_notebook({"nbformat": 4})


def test_unselected_cells_magic_flag_is_exact():
    book = nb("x = (1\n     % 2)\n", "plain = 1\n", "y = 2\n!ls\n", "import os\n",
              "def handle(conf):\n    os.sep\n    return {}\n")
    r = scan_notebook(book)
    assert {c["index"]: c["magic"] for c in r["cells"]} == {0: False, 1: False, 2: True, 3: False, 4: False}
    assert [c["index"] for c in r["cells"] if c["selected"]] == [3, 4]


def test_selected_cells_are_checked_as_an_import_would(tmp_path, monkeypatch):
    """Cells without the handle get a compile() check, not a tree: errors only an import of handler.py
    meets (module-level return, break outside a loop) are reported, with their cell and line; the
    magic retry still works on them; and nothing runs."""
    monkeypatch.chdir(tmp_path)
    book = nb("import os\nx = 1\nreturn x\n", "for i in range(2):\n    pass\nbreak\n", "!ls\ny = 2\n",
              "open('RAN', 'w')\n", "def handle(conf):\n    return {'a': 1}  # value_type: int\n")
    r = scan_notebook(book, [0, 1, 2, 3, 4])
    errors = [(p["cell"], p["line"], p["message"]) for p in r["problems"] if p["severity"] == "error"]
    assert errors == [(0, 3, "syntax error: 'return' outside function"), (1, 3, "syntax error: 'break' outside loop")]
    assert [(p["cell"], p["line"]) for p in r["problems"] if "deployed app" in p["message"]] == [(2, 1)]
    assert r["handle_cell"] == 4 and r["spec"]["output"]["a"]["value_type"] == "int"
    assert list(tmp_path.iterdir()) == []
