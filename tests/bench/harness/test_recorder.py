"""The sweep's pytest plugin: what it says of the machine as it goes."""

from bench.harness.recorder import calibration_line
from bench.records import STEADY_TIMING


def test_a_calibration_window_says_whether_the_machine_times_fixed_work_steadily():
    steady = calibration_line("python_loop", "start", STEADY_TIMING)
    assert steady == "calibration python_loop (start): rounds spread 5.0% (IQR over median): steady"
    unsteady = calibration_line("numpy_kernels", "end", 0.128)
    assert unsteady.startswith("calibration numpy_kernels (end): rounds spread 12.8% ")
    assert "over 5%, this machine times fixed work unsteadily" in unsteady
    assert "no quiet reference run" in unsteady
