"""A digit classifier trained with zengrad on the real digits: the judge of generated digits.

Its softmax tells which class a generated image looks like (class coverage) and how sure it is
(confidence); its hidden layer is the feature space for a Fréchet distance between image sets.
"""

from __future__ import annotations

import numpy as np

from .. import data, nn, optim
from ..creation import manual_seed, tensor
from ..grad_mode import no_grad


class DigitClassifier(nn.Module):
    """64 pixels → 128 → ReLU → 64 → ReLU (the features) → 10 class logits."""

    def __init__(self, pixels: int = 64):
        super().__init__()
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.head = nn.Linear(64, 10)

    def forward(self, images):
        return self.head(self.features(images))


def train_classifier(dataset: data.ImageDataset, epochs: int = 40, seed: int = 0, device: str = "cpu"):
    """Train on 80% of ``dataset``; returns (classifier, held-out accuracy)."""
    manual_seed(seed)
    train_set, test_set = dataset.split(0.8, seed=seed)
    model = fit_classifier(train_set, epochs, seed, device)
    return model, accuracy(model, test_set, device)


def fit_classifier(train_set: data.ImageDataset, epochs: int = 40, seed: int = 0, device: str = "cpu"):
    """A :class:`DigitClassifier` trained with Adam (lr 2e-3) on batches of 64 for ``epochs``."""
    model = DigitClassifier(int(np.prod(train_set.images.shape[1:]))).to(device)
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = data.DataLoader(train_set, batch_size=64, shuffle=True, seed=seed, device=device)
    for _ in range(epochs):
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def accuracy(model: DigitClassifier, test_set: data.ImageDataset, device: str = "cpu") -> float:
    """The fraction of ``test_set`` whose most probable class is its label."""
    predicted = predict_proba(model, test_set.images, device).argmax(axis=1)
    return float(np.mean(predicted == test_set.labels))


def predict_proba(model: DigitClassifier, images: np.ndarray, device: str = "cpu") -> np.ndarray:
    with no_grad():
        model.eval()
        probabilities = model(tensor(np.asarray(images, dtype=np.float32), device=device)).softmax(dim=-1)
        model.train()
    return probabilities.cpu().numpy()


def features(model: DigitClassifier, images: np.ndarray, device: str = "cpu") -> np.ndarray:
    with no_grad():
        model.eval()
        out = model.features(tensor(np.asarray(images, dtype=np.float32), device=device))
        model.train()
    return out.cpu().numpy().astype(np.float64)


def judge(model: DigitClassifier, images: np.ndarray, device: str = "cpu", confident: float = 0.9) -> dict:
    """Class coverage and confidence of the classifier on a set of (generated) images."""
    probabilities = predict_proba(model, images, device)
    classes = probabilities.argmax(axis=1)
    return {"samples": int(len(images)),
            "classes_covered": int(len(np.unique(classes))),
            "class_histogram": np.bincount(classes, minlength=10).tolist(),
            "confident_fraction": float(np.mean(probabilities.max(axis=1) >= confident)),
            "mean_max_probability": float(probabilities.max(axis=1).mean())}
