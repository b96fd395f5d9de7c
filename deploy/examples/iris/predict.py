"""Prediction code of the iris example (akerbp's model interface): the portal's prediction server calls
load(model_dir) once, then predict(model, frame) for each request."""
import os
import pickle

SPECIES = ["setosa", "versicolor", "virginica"]
INFO = {"input": ["sepal_length", "sepal_width", "petal_length", "petal_width"], "output": ["species"]}


def load(model_dir):
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f)


def predict(model, frame):
    return [SPECIES[int(i)] for i in model.predict(frame[INFO["input"]].to_numpy())]
