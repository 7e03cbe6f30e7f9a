"""Executes every notebook of notebooks/ on a published report (nbclient, in memory: the notebooks
in the repository are left as they are) and fails on the first cell that raises.

Usage: run_notebooks.py REPORT_DIR [NOTEBOOK...]. The notebooks read FRACTURE_REPORT, set here to
REPORT_DIR, and run with notebooks/ as their working folder.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    report = Path(sys.argv[1]).resolve()
    if not (report / "datasets").is_dir():
        print(f"{report} is not a report folder (no datasets/)", file=sys.stderr)
        return 2
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    notebooks = [Path(p).resolve() for p in sys.argv[2:]] or sorted(folder.glob("*.ipynb"))
    if not notebooks:
        print(f"no notebook in {folder}", file=sys.stderr)
        return 1
    os.environ["FRACTURE_REPORT"] = str(report)
    os.environ["MPLBACKEND"] = "Agg"
    failed = 0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
        start = time.monotonic()
        try:
            client.execute()
        except CellExecutionError as e:
            failed += 1
            print(f"FAILED {path.name}:\n{e}", file=sys.stderr)
            continue
        cells = sum(1 for c in nb.cells if c.cell_type == "code")
        print(f"ok {path.name}: {cells} code cells in {time.monotonic() - start:.1f} s")
    print(f"{len(notebooks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
