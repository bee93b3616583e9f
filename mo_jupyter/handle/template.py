"""Mo's handle template: the cell that "Insert handle function" (插入 handle 函数) puts in a notebook.

Its docstring is the whole convention the parser (``handle/parse.py``) reads; the template itself
parses to one input (``x``) and one output (``y``) with no problems.
"""

from __future__ import annotations

VALUE_TYPES = ("img", "video", "audio", "str", "int", "float", "bool", "file", "[int]", "[str]", "[float]")

HANDLE_TEMPLATE = '''def handle(conf):
    """The entry point of your deployed app (部署应用的入口函数).

    When the app is called, ``conf`` is a dict holding the inputs the caller sent, and the dict that
    handle returns is sent back. Select this cell, and the cells it needs (imports, model loading),
    in the deploy wizard: it writes them to handler.py and the inputs/outputs to app_spec.yml.

    Inputs (输入参数) - read each one from conf and describe it in a comment on the same line:

        x = conf['key']  # value_type: float # description: what the value means

        conf.get('key', 0.5)   a default (默认值): the input may be left out, 0.5 is used then
        # optional: true       an optional input (可选参数): conf.get('key') gives None when absent
        # value_range: 0-10    a range (取值范围); also >=0, <=1, or choices [a, b, c]
        # description: ...     shown on the test page (描述); Chinese is welcome

      The older form is read too:   params['key'] = 0.5  # value_type: float

    Types (value_type, 参数类型):
        img, video, audio, file   media, handed to handle as the caller sent them
        str, int, float, bool     plain values
        [int], [str], [float]     lists of values

      With no value_type comment, the type is guessed from a default value (a warning says so).

    Outputs (输出) - the keys of the dict that handle returns; type each key with a value_type
    comment on its own line of the return statement.
    """
    # inputs: one conf read per input, typed by its comment
    x = conf['x']  # value_type: float # description: the number to double # value_range: >=0
    # your code: load a model (e.g. from results/), predict, ...
    y = 2 * x
    # outputs: the returned dict's keys
    return {
        'y': y,  # value_type: float # description: twice x
    }
'''
