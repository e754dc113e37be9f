"""The course note's claims, as data: which backend is said to be how many times faster than
which loop. The harness's placement study and the analysis's verdicts read them alike."""

from dataclasses import dataclass

# "~Nx" is read as "between N/2 and 2N": a factor of 2 is where one would start to say
# "~2N" or "~N/2" instead (the steps of a 1-2-5 scale, by which ratios are usually rounded).
# The stricter reading, "at least Nx", is judged beside it.
BAND_FACTOR = 2.0


@dataclass(frozen=True)
class Claim:
    label: str
    backend: str
    factor: float
    baseline: str = "two_loop"

    @property
    def name(self) -> str:
        return f"{self.label} ({self.backend} vs {self.baseline})"

    @property
    def band(self) -> tuple[float, float]:
        return self.factor / BAND_FACTOR, self.factor * BAND_FACTOR


# Each claim against both meanings of "the loop": our fastest honest pure Python
# (two_loop, lists), and the course's loops as written (numpy arrays indexed per element),
# which are what the course timed.
CLAIMS = (
    Claim("~300x", "vectorized", 300.0, "two_loop"),
    Claim("~300x", "vectorized", 300.0, "course_two_loop"),
    Claim("~10x", "one_loop", 10.0, "two_loop"),
    Claim("~10x", "course_one_loop", 10.0, "course_two_loop"),
)
COURSE_BASELINE = "course_two_loop"
