"""mo/iris_classifier: which iris (鸢尾花) is this flower? A softmax regression in plain NumPy.

    from modules.iris_classifier.main import IrisClassifier
    model = IrisClassifier()
    model.predict({"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2})
    # {'species': 'setosa', 'probabilities': [0.9966, 0.0034, 0.0],
    #  'classes': ['setosa', 'versicolor', 'virginica']}

The weights (results/weights.npz) were trained on the mo/iris dataset by train_weights.py.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


class IrisClassifier:
    def __init__(self, weights_path=None):
        path = Path(weights_path) if weights_path else HERE / "results" / "weights.npz"
        with np.load(path) as w:
            self.mean, self.std = w["mean"], w["std"]
            self.W, self.b = w["W"], w["b"]
            self.classes = [str(c) for c in w["classes"]]

    def predict(self, conf):
        """conf: the four measurements in cm. Returns the species and the probability of each class."""
        missing = [name for name in FEATURES if name not in conf]
        if missing:
            raise ValueError(f"missing measurements: {', '.join(missing)}")
        x = (np.array([float(conf[name]) for name in FEATURES]) - self.mean) / self.std
        logits = x @ self.W + self.b
        p = np.exp(logits - logits.max())
        p /= p.sum()
        best = int(p.argmax())
        return {
            "species": self.classes[best],
            "probabilities": [round(float(v), 4) for v in p],
            "classes": list(self.classes),
        }
