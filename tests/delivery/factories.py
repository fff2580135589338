"""The delivery tests' names for the shared cast (tests/factories.py)."""

from tests.factories import (
    DAY,
    MORNING,
    ROBOT_SKILLS,
    make_paper,
    make_reader,
    make_topic,
    robot_papers,
)

__all__ = [
    "DAY",
    "MORNING",
    "ROBOT_SKILLS",
    "make_paper",
    "make_reader",
    "make_topic",
    "robot_papers",
]
