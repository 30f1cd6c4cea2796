"""Concept drift on the delayed-label stream: DDM and Page-Hinkley over prediction errors.

Why on errors and not on inputs: a model can go wrong with inputs that look like training data
(the relation between signals and failures changed), and only the true labels, known later, show
it. Each prediction whose label came back is one Bernoulli trial (1 = wrong); DDM alarms when the
error rate rises past its lowest point by ``drift_threshold`` standard deviations, Page-Hinkley
when the cumulative excess of the error over its running mean passes ``threshold``.

Why ``river``: both detectors are kept there with the published update rules; this module only
chooses settings for a 0/1 error stream and turns alarms into positions and windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DETECTORS = ("ddm", "page_hinkley")


@dataclass(frozen=True)
class ConceptSettings:
    """Detector settings for a 0/1 error stream.

    ``warm_start``: labels DDM reads before it may alarm (its early error-rate estimate is noisy);
    ``ph_delta``: the error increase Page-Hinkley tolerates; ``ph_threshold``: the cumulative
    excess that alarms (an error rate 0.3 higher alarms after about threshold / (0.3 - delta)
    labels). The defaults keep a stationary 10 % error stream quiet for thousands of labels.
    """

    warm_start: int = 300
    drift_threshold: float = 3.5
    warning_threshold: float = 2.0
    ph_min_instances: int = 30
    ph_delta: float = 0.02
    ph_threshold: float = 20.0

    def detector(self, name: str) -> object:
        from river import drift

        if name == "ddm":
            return drift.binary.DDM(
                warm_start=self.warm_start,
                warning_threshold=self.warning_threshold,
                drift_threshold=self.drift_threshold,
            )
        if name == "page_hinkley":
            return drift.PageHinkley(
                min_instances=self.ph_min_instances,
                delta=self.ph_delta,
                threshold=self.ph_threshold,
                mode="up",  # only more errors is drift; fewer is good news
            )
        raise ValueError(f"unknown concept-drift detector {name!r}: use one of {DETECTORS}")

    def threshold_of(self, name: str) -> float:
        return self.drift_threshold if name == "ddm" else self.ph_threshold


@dataclass(frozen=True)
class ConceptAlarm:
    """One alarm: the label (0-based position in the stream) at which ``detector`` fired."""

    detector: str
    position: int
    error_rate: float
    """The error rate over the window the alarm fell in."""
    threshold: float

    def window(self, size: int) -> int:
        """The window of ``size`` labels (numbered from 1) the alarm fell in."""
        return self.position // size + 1


def alarms(
    errors: Iterable[bool | int],
    *,
    detectors: tuple[str, ...] = DETECTORS,
    settings: ConceptSettings | None = None,
    window: int = 100,
) -> list[ConceptAlarm]:
    """Every alarm of each detector over ``errors`` (1/True: the prediction was wrong), in order.

    A detector starts afresh after an alarm (river resets it), so a second change alarms again.
    """
    if window <= 0:
        raise ValueError(f"window must be > 0, got {window}")
    settings = settings or ConceptSettings()
    stream = [int(bool(e)) for e in errors]
    found: list[ConceptAlarm] = []
    for name in detectors:
        detector = settings.detector(name)
        for position, error in enumerate(stream):
            detector.update(error)
            if detector.drift_detected:
                start = position // window * window
                chunk = stream[start : start + window]
                found.append(
                    ConceptAlarm(
                        name, position, sum(chunk) / len(chunk), settings.threshold_of(name)
                    )
                )
    return sorted(found, key=lambda a: (a.position, a.detector))
