"""module_spec.yml and dataset.yml: safe YAML, every schema problem listed, Mo's legacy keys read."""

import pytest

from mo_jupyter.catalog.specs import load_dataset_spec, load_module_spec
from mo_jupyter.errors import BadRequest

MODULE = """\
name: iris_classifier
owner: mo
version: 1.0.2
des: Classifies iris flowers
tags: [iris, classification]
category: model
input:
  predict:
    sepal_length: {value_type: float, default_value: 5.1, value_range: [4, 8], des: cm}
    petal_width: {value_type: float, default_value: 0.2, optional: true}
output:
  predict:
    - {name: label, value_type: str, description: the species}
"""

DATASET = """\
name: mnist
owner: mo
version: 1.0.0
description: 10,000 real MNIST digits
tags: [image, digits]
purpose: image_classification
label_type: single_label
format: npz
test_set: 0.8
permission: preset
status: online
"""


def test_module_spec_normalised(tmp_path):
    (tmp_path / "module_spec.yml").write_text(MODULE)
    spec = load_module_spec(tmp_path / "module_spec.yml")
    assert spec["description"] == "Classifies iris flowers" and "des" not in spec
    inputs = spec["input"]["predict"]
    assert [p["name"] for p in inputs] == ["sepal_length", "petal_width"]
    assert inputs[0] == {"name": "sepal_length", "value_type": "float", "default_value": 5.1,
                         "value_range": [4, 8], "description": "cm", "optional": False}
    assert inputs[1]["optional"] is True and inputs[1]["description"] == ""
    assert spec["output"]["predict"] == [{"name": "label", "value_type": "str", "description": "the species",
                                          "optional": False}]


def test_module_spec_problems_are_all_listed(tmp_path):
    (tmp_path / "module_spec.yml").write_text(
        "name: bad name\nversion: one\ninput:\n  predict:\n    x: {value_type: tensor}\n  fit: {}\n")
    with pytest.raises(BadRequest) as err:
        load_module_spec(tmp_path / "module_spec.yml")
    message = err.value.message
    for where in ("name:", "version:", "input:"):
        assert where in message, message
    assert "'fit' was unexpected" in message


def test_dataset_spec(tmp_path):
    (tmp_path / "dataset.yml").write_text(DATASET)
    assert load_dataset_spec(tmp_path / "dataset.yml")["test_set"] == 0.8
    (tmp_path / "dataset.yml").write_text(DATASET.replace("test_set: 0.8", "test_set: independent"))
    assert load_dataset_spec(tmp_path / "dataset.yml")["test_set"] == "independent"
    for bad in ("test_set: 1.5", "format: rar", "status: maybe", "purpose: fun"):
        key = bad.split(":")[0]
        text = "\n".join(bad if line.startswith(key + ":") else line for line in DATASET.splitlines())
        (tmp_path / "dataset.yml").write_text(text + "\n")
        with pytest.raises(BadRequest, match=key):
            load_dataset_spec(tmp_path / "dataset.yml")


def test_yaml_that_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "module_spec.yml").write_text(
        f"name: x\nversion: 1.0.0\nevil: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(BadRequest, match="not valid YAML"):
        load_module_spec(tmp_path / "module_spec.yml")
    assert not marker.exists()


def test_missing_empty_and_huge_files(tmp_path):
    with pytest.raises(BadRequest, match="missing"):
        load_module_spec(tmp_path / "module_spec.yml")
    (tmp_path / "dataset.yml").write_text("")
    with pytest.raises(BadRequest, match="invalid dataset"):
        load_dataset_spec(tmp_path / "dataset.yml")
    (tmp_path / "dataset.yml").write_text("a: " + "x" * (1024 * 1024 + 1))
    with pytest.raises(BadRequest, match="larger than"):
        load_dataset_spec(tmp_path / "dataset.yml")
