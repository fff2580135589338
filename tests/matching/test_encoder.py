"""The sentence encoder: the bundled model, loaded from the installed package, never a hub."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from digest.matching.encoder import EmbeddingModelError, Encoder, default_model_path, load_encoder

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_vectors.json"


def test_vectors_agree_with_sentence_transformers(encoder: Encoder) -> None:
    """Recorded once with sentence-transformers (PyTorch) on the same bundled model."""
    recorded = json.loads(RECORDED.read_text())
    ours = encoder.encode(recorded["texts"])
    theirs = np.array(recorded["vectors"], dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_the_model_is_read_from_the_installed_package() -> None:
    path = default_model_path()
    assert "site-packages" in str(path) and (path / "model.safetensors").exists()


def test_one_encoder_per_process_and_folder() -> None:
    assert load_encoder() is load_encoder()


def test_batches_of_mixed_lengths_give_the_vectors_of_single_texts(encoder: Encoder) -> None:
    texts = ["graph neural networks", "a much longer interest about " + "protein design " * 40]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert encoder.encode([]).shape == (0, encoder.dimension)


def test_a_missing_or_foreign_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="cannot load an embedding model"):
        Encoder(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(default_model_path(), copy)
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}))
    with pytest.raises(EmbeddingModelError, match="only BERT-style"):
        Encoder(copy)


def test_changed_weights_change_the_model_name(tmp_path: Path, encoder: Encoder) -> None:
    """The name is stored with every vector: new weights in the same folder invalidate them."""
    copy = tmp_path / "model"
    shutil.copytree(default_model_path(), copy)
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "layer_norm_eps": 1e-11}))
    assert Encoder(copy).name != encoder.name
