"""The learners' notebook runs as a learner would run it (smaller sizes), and its two forms, the
script and the notebook without outputs, say the same. Run by `nox -s notebook`."""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="the notebook extra (nox -s notebook)")
nbclient = pytest.importorskip("nbclient", reason="the notebook extra (nox -s notebook)")
nbformat = pytest.importorskip("nbformat", reason="the notebook extra (nox -s notebook)")

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "first_look"


def test_the_script_and_the_notebook_say_the_same_and_the_notebook_has_no_outputs():
    script = jupytext.read(NOTEBOOK.with_suffix(".py"))
    stored = nbformat.read(NOTEBOOK.with_suffix(".ipynb"), as_version=4)
    assert [c.source for c in script.cells] == [c.source for c in stored.cells]
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def text_of(notebook) -> str:
    return "\n".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/markdown", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


@pytest.mark.timeout(240)  # a kernel, two small sweeps and their reports
def test_the_notebook_answers_the_claims_and_times_the_learners_step(tmp_path):
    notebook = jupytext.read(NOTEBOOK.with_suffix(".py"))
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = "M = [100, 1000]\nN_X = [10, 100]\nPASSES = 2"
    client = nbclient.NotebookClient(
        notebook, timeout=200, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    shown = text_of(notebook)
    assert "| ~300x | vectorized vs two_loop |" in shown  # the answer, as the README gives it
    assert "Your function `my_step` (defined in Python): over `two_loop`" in shown
    assert any(
        output.get("data", {}).get("image/png")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )  # the heatmap, inline
    assert (tmp_path / "my-results" / "compare" / "REPORT.md").exists()
