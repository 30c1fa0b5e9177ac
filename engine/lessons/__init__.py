"""Lessons that check themselves: the tutorial chapter as exercises over the simulated cluster.

A lesson is data (a folder: `lesson.yaml`, manifests, a solution scenario); its checks are
JMESPath expressions over the cluster's objects and events (engine.lessons.checks), so a
teacher writes new lessons without Python and nothing in a lesson file is ever run as code.
"""

from engine.lessons.checks import CheckError, compile_check, evaluate, truthy
from engine.lessons.loader import load_lesson, load_lessons
from engine.lessons.model import Lesson, LessonStep, Localized
from engine.lessons.runner import LessonRun, StepVerdict, check_lesson

__all__ = [
    "CheckError",
    "Lesson",
    "LessonRun",
    "LessonStep",
    "Localized",
    "StepVerdict",
    "check_lesson",
    "compile_check",
    "evaluate",
    "load_lesson",
    "load_lessons",
    "truthy",
]
