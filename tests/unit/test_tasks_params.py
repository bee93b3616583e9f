"""Training tasks, the module side (mo_jupyter/tasks/params.py): input.train as a JSON Schema (types,
defaults, value_range, required), errors that name the field, the `training` key's checks, and the
split rules of a module and a dataset."""

import pytest

from mo_jupyter import schemas
from mo_jupyter.catalog.roots import BUILTIN_PATH
from mo_jupyter.catalog.specs import load_module_spec, normalize_module_spec
from mo_jupyter.errors import BadRequest
from mo_jupyter.tasks import params as P

SPEC = normalize_module_spec({
    "name": "m", "version": "1.0.0",
    "input": {"train": {
        "data_path": {"value_type": "str", "default_value": "datasets/x"},
        "model_save_path": {"value_type": "str", "default_value": "results/m.json"},
        "ratio": {"value_type": "float", "default_value": 0.8, "value_range": [0.5, 1.0], "optional": True},
        "epochs": {"value_type": "int", "default_value": 3, "value_range": [1, 100], "des": "passes"},
        "lr": {"value_type": "float", "default_value": 0.01},
        "optimizer": {"value_type": "str", "default_value": "adam", "value_range": ["adam", "sgd"]},
        "shuffle": {"value_type": "bool", "default_value": True},
        "layers": {"value_type": "[int]", "default_value": [32, 64], "value_range": [1, 512]},
        "tags": {"value_type": "[str]", "value_range": ["a", "b"], "optional": True},
        "seed": {"value_type": "int"},
        "bad_default": {"value_type": "int", "default_value": "three", "optional": True},
    }},
    "training": {"formats": ["dir"], "data": "data_path", "split": "ratio", "model": ["model_save_path"]},
})
TRAINING = P.training_of(SPEC, "me/m")


def test_schema_types_defaults_ranges_and_required():
    schema, order = P.params_schema(SPEC, TRAINING)
    props = schema["properties"]
    assert order == ["epochs", "lr", "optimizer", "shuffle", "layers", "tags", "seed", "bad_default"]
    assert "data_path" not in props and "model_save_path" not in props and "ratio" not in props  # the task's
    assert props["epochs"] == {"title": "epochs", "type": "integer", "minimum": 1, "maximum": 100,
                               "description": "passes", "default": 3}
    assert props["lr"]["type"] == "number" and props["lr"]["default"] == 0.01 and "minimum" not in props["lr"]
    assert props["optimizer"]["type"] == "string" and props["optimizer"]["enum"] == ["adam", "sgd"]
    assert props["shuffle"] == {"title": "shuffle", "type": "boolean", "default": True}
    assert props["layers"]["type"] == "array" and props["layers"]["items"] == {"type": "integer", "minimum": 1,
                                                                               "maximum": 512}
    assert props["tags"]["items"] == {"type": "string", "enum": ["a", "b"], "maxLength": 4096}
    assert "default" not in props["seed"] and "default" not in props["bad_default"]  # none, or one it refuses
    assert schema["required"] == ["epochs", "lr", "optimizer", "shuffle", "layers", "seed"]
    assert schema["additionalProperties"] is False


def test_check_params_fills_defaults_and_names_each_bad_field():
    assert P.check_params(SPEC, TRAINING, {"seed": 1}) == {
        "epochs": 3, "lr": 0.01, "optimizer": "adam", "shuffle": True, "layers": [32, 64], "seed": 1}
    with pytest.raises(BadRequest) as caught:
        P.check_params(SPEC, TRAINING, {"epochs": 0, "lr": "fast", "optimizer": "rmsprop", "layers": [0],
                                        "bogus": 1})
    text = caught.value.message
    for part in ("params/epochs: 0 is less than the minimum of 1", "params/lr: 'fast' is not of type 'number'",
                 "params/optimizer: 'rmsprop' is not one of", "params/layers/0", "'seed' is a required property",
                 "'bogus' was unexpected"):
        assert part in text, (part, text)
    with pytest.raises(BadRequest, match="params/epochs: 101 is greater than the maximum of 100"):
        P.check_params(SPEC, TRAINING, {"seed": 1, "epochs": 101})
    with pytest.raises(BadRequest, match="params/shuffle"):
        P.check_params(SPEC, TRAINING, {"seed": 1, "shuffle": "yes"})


def test_a_huge_value_is_cut_in_the_message():
    with pytest.raises(BadRequest) as caught:
        P.check_params(SPEC, TRAINING, {"seed": "x" * 100_000})
    assert len(caught.value.message) < 1200 and "params/seed" in caught.value.message


def test_the_builtin_modules_have_a_valid_training_key():
    bayes = load_module_spec(BUILTIN_PATH / "modules/mo/text_classifier_bayes/1.0.0/module_spec.yml")
    mnist = load_module_spec(BUILTIN_PATH / "modules/mo/mnist_cnn/1.0.0/module_spec.yml")
    assert P.training_of(bayes, "mo/text_classifier_bayes") == {
        "formats": ["dir"], "data": "data_path", "split": "train_ratio", "model": ["model_save_path"],
        "start_model": None}
    assert P.purposes_of(bayes) == ["text_classification"] and P.purposes_of(mnist) == ["image_classification"]
    training = P.training_of(mnist, "mo/mnist_cnn")
    assert training["start_model"] == "start_model_path" and training["split"] is None
    schema, order = P.params_schema(mnist, training)
    assert order == ["epochs", "batch_size", "start_model_path"]
    assert schema["properties"]["epochs"] == {"title": "epochs", "type": "integer", "minimum": 1, "maximum": 100,
                                              "description": "passes over the training data", "default": 3}
    assert schema["properties"]["start_model_path"]["default"] == "" and schema["required"] == ["epochs", "batch_size"]
    assert P.model_paths(mnist, training) == {"model_save_path": "results/my_model.keras"}


def test_training_key_problems():
    base = {"name": "m", "version": "1.0.0", "input": {"train": {
        "d": {"value_type": "str"}, "s": {"value_type": "str"}, "o": {"value_type": "str"}}}}
    spec = normalize_module_spec({**base, "training": {"formats": ["dir"], "data": "d", "split": "s",
                                                       "model": ["nope", "d"], "start_model": "o"}})
    problems = P.training_problems(spec)
    assert "training.model: 'nope' is not a parameter of input.train" in problems
    assert "training.model: 'd' is already training.data" in problems
    assert "training.split: 's' must be a float parameter (the train share)" in problems
    with pytest.raises(BadRequest, match="'training' key is wrong"):
        P.training_of(spec, "me/m")
    with pytest.raises(BadRequest, match="no 'training' key"):
        P.training_of(normalize_module_spec(base), "me/m")
    with pytest.raises(BadRequest, match="no train"):
        P.training_of(normalize_module_spec({"name": "m", "version": "1.0.0", "input": {"predict": {}}}), "me/m")
    # the schema: formats from the dataset enum, the required keys, no others
    for bad in ({"formats": ["mp4"], "data": "d", "model": ["o"]}, {"formats": ["dir"], "data": "d"},
                {"formats": ["dir"], "data": "d", "model": ["o"], "extra": 1}, {"formats": [], "data": "d", "model": ["o"]},
                {"formats": ["dir"], "data": "../d", "model": ["o"]}):
        with pytest.raises(BadRequest):
            schemas.validate("module_spec", {**base, "training": bad})
    schemas.validate("module_spec", {**base, "purpose": "tabular", "training": {"formats": ["dir"], "data": "d",
                                                                                "model": ["o"]}})
    with pytest.raises(BadRequest):
        schemas.validate("module_spec", {**base, "purpose": ["cooking"]})


def test_model_paths_never_leave_the_task_folder():
    spec = normalize_module_spec({"name": "m", "version": "1.0.0", "input": {"train": {
        "d": {"value_type": "str"}, "a": {"value_type": "str", "default_value": "../../etc/x"},
        "b": {"value_type": "str", "default_value": "/abs/m.pt"}, "c": {"value_type": "str"},
        "e": {"value_type": "str", "default_value": "out/./model.json"}}},
        "training": {"formats": ["dir"], "data": "d", "model": ["a", "b", "c", "e"]}})
    assert P.model_paths(spec, P.training_of(spec, "me/m")) == {
        "a": "results/a", "b": "results/b", "c": "results/c", "e": "out/model.json"}


# ---- the split ------------------------------------------------------------------------------
NO_SPLIT = {**TRAINING, "split": None}


def test_split_kinds():
    independent, share = {"test_set": "independent"}, {"test_set": 0.8}
    assert P.split_kinds(SPEC, TRAINING, independent) == ["independent", "ratio"]
    assert P.split_kinds(SPEC, NO_SPLIT, independent) == ["independent"]
    assert P.split_kinds(SPEC, TRAINING, share) == ["dataset", "ratio"]
    assert P.split_kinds(SPEC, NO_SPLIT, share) == ["dataset"]  # the module splits as it does
    assert P.split_kinds(SPEC, TRAINING, {"test_set": 0.3}) == ["ratio"]  # below the parameter's 0.5


def test_resolve_split():
    share = {"test_set": 0.8}
    assert P.resolve_split(SPEC, TRAINING, share, None, "o/d") == ({"kind": "dataset", "ratio": 0.8}, 0.8)
    assert P.resolve_split(SPEC, TRAINING, share, {"kind": "ratio", "ratio": 0.6}, "o/d") == (
        {"kind": "ratio", "ratio": 0.6}, 0.6)
    assert P.resolve_split(SPEC, NO_SPLIT, share, {"kind": "dataset"}, "o/d") == ({"kind": "dataset", "ratio": 0.8}, None)
    assert P.resolve_split(SPEC, TRAINING, {"test_set": "independent"}, None, "o/d") == ({"kind": "independent"}, None)
    refused = [
        (TRAINING, share, {"kind": "ratio"}, "needs the train share"),
        (TRAINING, share, {"kind": "ratio", "ratio": 0.4}, "from 0.5 to 1.0 for 'ratio'"),
        (TRAINING, share, {"kind": "ratio", "ratio": 1.5}, "out of range"),
        (TRAINING, share, {"kind": "independent"}, "choose: dataset, ratio"),
        (TRAINING, share, {"kind": "dataset", "ratio": 0.9}, "only a split of kind 'ratio'"),
        (NO_SPLIT, share, {"kind": "ratio", "ratio": 0.7}, "choose: dataset"),
        (NO_SPLIT, {"test_set": "independent"}, {"kind": "dataset"}, "choose: independent"),
    ]
    for training, meta, split, words in refused:
        with pytest.raises(BadRequest, match=words):
            P.resolve_split(SPEC, training, meta, split, "o/d")
