"""End-of-turn detection from VAD frame scores, frame by frame on audio time."""

from __future__ import annotations

import pytest

from parley.engine.turn_detection import (
    DetectorSettings,
    Paused,
    Resumed,
    SpeechStarted,
    SpeechState,
    TurnDetector,
    TurnEnded,
)

FRAME = 0.032


def frames(seconds: float, score: float) -> list[float]:
    return [score] * round(seconds / FRAME)


def run(detector: TurnDetector, *pattern: tuple[float, float]) -> list[object]:
    events: list[object] = []
    for seconds, score in pattern:
        events += detector.feed(frames(seconds, score))
    return events


def test_speech_then_silence_ends_the_turn_after_the_hangover() -> None:
    detector = TurnDetector(DetectorSettings(end_silence_seconds=0.5))
    events = run(detector, (0.32, 0.0), (1.6, 0.9), (0.64, 0.1))
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, Paused, TurnEnded]
    started, paused, ended = events
    assert isinstance(started, SpeechStarted)
    assert started.at == pytest.approx(0.32, abs=FRAME)
    assert isinstance(ended, TurnEnded)
    assert ended.speech_ended_at == pytest.approx(1.92, abs=FRAME)
    assert ended.decided_at - ended.speech_ended_at == pytest.approx(0.5, abs=2 * FRAME)
    assert isinstance(paused, Paused)
    assert detector.state is SpeechState.QUIET


def test_a_short_pause_is_not_the_end() -> None:
    detector = TurnDetector(DetectorSettings(end_silence_seconds=0.5))
    events = run(detector, (1.0, 0.9), (0.3, 0.0), (1.0, 0.9), (0.7, 0.0))
    assert [type(e) for e in events] == [SpeechStarted, Paused, Resumed, Paused, TurnEnded]


def test_a_pause_shorter_than_the_speculation_point_is_silent() -> None:
    detector = TurnDetector(DetectorSettings(pause_seconds=0.15, end_silence_seconds=0.5))
    events = run(detector, (1.0, 0.9), (0.1, 0.0), (1.0, 0.9))
    assert [type(e) for e in events] == [SpeechStarted]


def test_clicks_shorter_than_min_speech_are_ignored() -> None:
    detector = TurnDetector(DetectorSettings(min_speech_seconds=0.1))
    events = run(detector, (0.064, 0.95), (1.0, 0.0), (0.064, 0.95), (1.0, 0.0))
    assert events == []


@pytest.mark.parametrize(
    ("eagerness", "silence"), [("eager", 0.40), ("normal", 0.60), ("patient", 1.00)]
)
def test_eagerness_sets_the_end_of_turn_wait(eagerness: str, silence: float) -> None:
    detector = TurnDetector(DetectorSettings.for_eagerness(eagerness))
    events = run(detector, (1.0, 0.9), (silence - 2 * FRAME, 0.0))
    assert TurnEnded not in [type(e) for e in events]
    events = run(detector, (4 * FRAME, 0.0))
    assert [type(e) for e in events] == [TurnEnded]


@pytest.mark.parametrize(
    ("eagerness", "silence"), [("eager", 0.20), ("normal", 0.30), ("patient", 0.60)]
)
def test_a_finished_sentence_ends_the_turn_sooner(eagerness: str, silence: float) -> None:
    detector = TurnDetector(DetectorSettings.for_eagerness(eagerness))
    events = run(detector, (1.0, 0.9), (0.16, 0.0))
    assert [type(e) for e in events] == [SpeechStarted, Paused]
    detector.sounds_complete()  # the pause's transcript is "What time do you open?"
    events = run(detector, (silence - 0.16 - FRAME, 0.0))
    assert events == []
    events = run(detector, (2 * FRAME, 0.0))
    assert [type(e) for e in events] == [TurnEnded]


def test_a_finished_sentence_heard_late_ends_the_turn_at_once() -> None:
    detector = TurnDetector(DetectorSettings.for_eagerness("normal"))
    run(detector, (1.0, 0.9), (0.45, 0.0))  # the transcript took a while
    detector.sounds_complete()
    assert [type(e) for e in detector.feed([0.0])] == [TurnEnded]


def test_the_shorter_wait_is_only_for_the_pause_it_was_heard_in() -> None:
    detector = TurnDetector(DetectorSettings.for_eagerness("normal"))
    run(detector, (1.0, 0.9), (0.2, 0.0))
    detector.sounds_complete()
    run(detector, (0.5, 0.9))  # the user went on after all
    events = run(detector, (0.45, 0.0))
    assert TurnEnded not in [type(e) for e in events]


def test_unknown_eagerness_means_normal() -> None:
    settings = DetectorSettings.for_eagerness("hasty")
    assert (settings.complete_silence_seconds, settings.end_silence_seconds) == (0.30, 0.60)
