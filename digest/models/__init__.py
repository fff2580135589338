from digest.models.channels import ChannelPost
from digest.models.editions import Delivery, Edition, EmailEvent, SentPaper
from digest.models.papers import Paper, PaperSighting, SignalSnapshot, TextEmbedding
from digest.models.sources import IngestRun, Source

__all__ = [
    "ChannelPost",
    "Delivery",
    "Edition",
    "EmailEvent",
    "IngestRun",
    "Paper",
    "PaperSighting",
    "SentPaper",
    "SignalSnapshot",
    "Source",
    "TextEmbedding",
]
