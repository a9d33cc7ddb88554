"""The answer scales a confidence survey can use. A survey picks one preset; its
labels are copied into each published version so they never change under answers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    key: str
    name: str
    minimum: int
    maximum: int
    labels: dict[int, str]

    @property
    def values(self) -> list[int]:
        return list(range(self.minimum, self.maximum + 1))

    def label(self, value: int) -> str:
        return self.labels.get(value, str(value))


SCALES = {
    "confidence_5": Scale(
        "confidence_5",
        "Confidence, 5 points",
        1,
        5,
        {
            1: "Not at all confident",
            2: "Slightly confident",
            3: "Moderately confident",
            4: "Very confident",
            5: "Completely confident",
        },
    ),
    "agreement_5": Scale(
        "agreement_5",
        "Agreement, 5 points",
        1,
        5,
        {
            1: "Strongly disagree",
            2: "Disagree",
            3: "Neither agree nor disagree",
            4: "Agree",
            5: "Strongly agree",
        },
    ),
    "zero_to_ten": Scale(
        "zero_to_ten",
        "0 to 10",
        0,
        10,
        {0: "0 – Not at all confident", 10: "10 – Completely confident"},
    ),
}

SCALE_CHOICES = [(scale.key, scale.name) for scale in SCALES.values()]
