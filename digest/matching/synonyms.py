"""Acronyms and spelled-out forms that mean the same thing in ML/AI writing.

Each entry maps an acronym to the phrases it abbreviates. Matching treats both directions alike:
a text that spells the phrase out also gets the acronym as a term, and a text that uses the
acronym also gets the terms of the spelled-out phrase. So "LLM agents" and "large language model
agents" produce the same bag of terms, and a reader who types either finds both.

Keys with an underscore are concept groups rather than acronyms (several established names for
one idea, such as behavior cloning and imitation learning).

Keep the table general (terms any ML reader would expand the same way) and unambiguous: an acronym
that commonly means two different things in papers (IL, DT, RM, KD, GP) is left out, because a
wrong expansion would put unrelated papers into people's digests.
"""

from __future__ import annotations

ALIASES: dict[str, str] = {"lm": "llm", "llms": "llm", "lms": "llm", "vlms": "vlm", "vlas": "vla"}
"""Surface forms that are the same term as a table entry ("LMs" and "LLMs" both mean llm here)."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    "llm": ("large language model", "language model"),
    "slm": ("small language model",),
    "mllm": ("multimodal large language model", "multimodal llm", "large multimodal model"),
    "vlm": ("vision language model", "visual language model", "large vision language model"),
    "vla": ("vision language action model", "vision language action"),
    "rl": ("reinforcement learning",),
    "drl": ("deep reinforcement learning",),
    "marl": ("multi-agent reinforcement learning", "multiagent reinforcement learning"),
    "irl": ("inverse reinforcement learning",),
    "rlhf": (
        "reinforcement learning from human feedback",
        "reinforcement learning with human feedback",
    ),
    "rlaif": ("reinforcement learning from ai feedback",),
    "rlvr": ("reinforcement learning with verifiable rewards",),
    "dpo": ("direct preference optimization",),
    "ppo": ("proximal policy optimization",),
    "grpo": ("group relative policy optimization",),
    "sft": ("supervised fine-tuning", "supervised finetuning"),
    "peft": ("parameter-efficient fine-tuning",),
    "lora": ("low-rank adaptation",),
    "moe": ("mixture of experts", "mixture-of-experts"),
    "rag": ("retrieval-augmented generation", "retrieval augmented generation"),
    "cot": ("chain of thought", "chain-of-thought"),
    "icl": ("in-context learning",),
    "gnn": ("graph neural network",),
    "gcn": ("graph convolutional network",),
    "nerf": ("neural radiance field",),
    "3dgs": ("3d gaussian splatting",),
    "gan": ("generative adversarial network",),
    "vae": ("variational autoencoder",),
    "vit": ("vision transformer",),
    "ssm": ("state space model",),
    "mdp": ("markov decision process",),
    "pomdp": ("partially observable markov decision process",),
    "mcts": ("monte carlo tree search",),
    "nlp": ("natural language processing",),
    "asr": ("automatic speech recognition",),
    "tts": ("text-to-speech", "text to speech"),
    "ocr": ("optical character recognition",),
    "pinn": ("physics-informed neural network",),
    "sim2real": ("sim-to-real", "simulation to reality"),
    "prm": ("process reward model",),
    # Concept groups: different names for one idea. The underscore keeps the key from ever being
    # typed or written as a word, so only the spelled-out forms produce it.
    "imitation_learning": (
        "imitation learning",
        "behavior cloning",
        "behavioral cloning",
        "learning from demonstrations",
    ),
    "test_time_scaling": ("test-time scaling", "test-time compute", "inference-time scaling"),
}
