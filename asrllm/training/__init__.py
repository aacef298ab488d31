"""Model-agnostic training infrastructure: freezing, schedule, checkpoints, DDP/FSDP, the loop."""

from asrllm.training.checkpoint import CheckpointManager, read_checkpoint, read_model_state
from asrllm.training.config import TrainerConfig
from asrllm.training.freeze import apply_trainable, train_mode, trainable_summary
from asrllm.training.sampler import ResumableSampler
from asrllm.training.schedule import WarmupCosine, warmup_cosine
from asrllm.training.trainer import Trainer

__all__ = [
    "CheckpointManager", "ResumableSampler", "Trainer", "TrainerConfig", "WarmupCosine", "apply_trainable",
    "read_checkpoint", "read_model_state", "train_mode", "trainable_summary", "warmup_cosine",
]
