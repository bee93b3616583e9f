"""mo/mnist_cnn: handwritten digit recognition (手写数字识别), a small Keras 3 CNN (TensorFlow backend)
after the Mo seeds' MNIST walkthrough, with trained weights in results/mnist_cnn.keras.

    from modules.mnist_cnn.main import MnistCnn
    model = MnistCnn()
    model.predict({"img": "modules/mnist_cnn/samples/digit_7.png"})   # {'digit': 7, 'probabilities': [...]}
    model.train({"epochs": 3, "batch_size": 128,                      # 二次训练: go on from the
                 "data_path": "datasets/mo-mnist/mnist.npz",          # shipped weights, or from
                 "model_save_path": "results/my_model.keras",         # start_model_path (迁移训练)
                 "start_model_path": ""})
    model.predict({"img": x_test[0]})                                 # a 28x28 array works too

Keras is imported inside the methods: importing this file needs only NumPy. Paths in conf are
relative to the current directory. Each epoch prints metric lines in the Mo format (a job's
Metrics tab charts them): {"metric": "loss", "value": 0.21, "epoch": 1}.
"""

import json
import os
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHIPPED_MODEL = HERE / "results" / "mnist_cnn.keras"
NUM_CLASSES = 10


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the log
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    return keras


def metric(name, value, epoch=None):
    line = {"metric": name, "value": float(value)}
    if epoch is not None:
        line["epoch"] = int(epoch)
    print(json.dumps(line), flush=True)


def build_model():
    """The seeds' convnet, made smaller (two conv + pool stages, a 64-unit dense layer: ~120k weights)."""
    keras = _keras()
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ])
    compile_model(model)
    return model


def compile_model(model):
    keras = _keras()
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])


def load_data(path):
    """The npz of mo/mnist (Keras' mnist.npz keys), channels_last, scaled to 0..1, one-hot labels."""
    keras = _keras()
    with np.load(path) as f:
        x_train, y_train, x_test, y_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
    return (x_train, keras.utils.to_categorical(y_train, NUM_CLASSES)), \
           (x_test, keras.utils.to_categorical(y_test, NUM_CLASSES))


def to_input(img):
    """An image file path (png, jpg, ...: grayscale, resized to 28x28, inverted when the digit is dark
    on light) or a 28x28 array-like (0..255 or 0..1) -> a (1, 28, 28, 1) float32 batch in 0..1."""
    if isinstance(img, (str, os.PathLike)):
        if str(img).endswith(".npy"):
            x = np.load(img).astype("float32")
        else:
            from PIL import Image
            with Image.open(img) as im:
                x = np.asarray(im.convert("L").resize((28, 28)), dtype="float32")
            if x.mean() > 127:  # MNIST digits are light on a dark background
                x = 255 - x
    else:
        x = np.asarray(img, dtype="float32")
    if x.size != 28 * 28:
        raise ValueError(f"img must be 28x28 pixels, got shape {x.shape}")
    if x.max() > 1:
        x = x / 255
    return x.reshape(1, 28, 28, 1)


class MnistCnn:
    def __init__(self):
        self.model = None  # loaded on first use: the shipped model, or the one train() made

    def _shipped(self):
        if self.model is None:
            self.model = _keras().models.load_model(SHIPPED_MODEL) if SHIPPED_MODEL.is_file() else build_model()
        return self.model

    def train(self, conf):
        """Go on training a model on the npz's train split, validating on its test split; save it to
        model_save_path. The model: start_model_path when given (a saved .keras file: transfer
        training, 迁移训练), else the current one (the shipped weights unless trained or loaded)."""
        keras = _keras()
        epochs, batch_size = int(conf.get("epochs", 3)), int(conf.get("batch_size", 128))
        (x_train, y_train), (x_test, y_test) = load_data(conf.get("data_path", "datasets/mo-mnist/mnist.npz"))
        print(f"{len(x_train)} train samples, {len(x_test)} test samples; "
              f"keras {keras.__version__} ({keras.backend.backend()})", flush=True)
        start = conf.get("start_model_path") or ""
        if start:
            if not Path(start).is_file():
                raise FileNotFoundError(f"start_model_path: no model file at {start}")
            self.model = keras.models.load_model(start)
            print(f"going on from {start}", flush=True)
        model = self._shipped()
        compile_model(model)

        class MoMetrics(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
                    if logs and name in logs:
                        metric(name, logs[name], epoch + 1)
                metric("epoch_time", round(time.perf_counter() - self.t0, 3), epoch + 1)

        model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                  validation_data=(x_test, y_test), callbacks=[MoMetrics()])
        test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        metric("test_loss", test_loss)
        metric("test_accuracy", test_accuracy)
        out = Path(conf.get("model_save_path", "results/my_model.keras"))
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save(out)
        print(f"saved {out}", flush=True)
        return {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy),
                "epochs": epochs, "model_path": str(out)}

    def predict(self, conf):
        """conf: {"img": image path or 28x28 array, "model_path": optional .keras file}."""
        if conf.get("model_path"):
            self.model = _keras().models.load_model(conf["model_path"])
        p = self._shipped().predict(to_input(conf["img"]), verbose=0)[0]
        return {"digit": int(p.argmax()), "probabilities": [round(float(v), 4) for v in p]}
