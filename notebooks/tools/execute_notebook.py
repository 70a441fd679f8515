"""Runs one notebook headless on the charrnn kernel with Debian's nbclient, cell by cell, within a time limit for
the whole notebook (nbclient's own timeout is per cell), so a cell that never ends costs the notebook its remaining
time and no more. Writes the executed notebook to OUT and prints, on stdout, one JSON object:
{"cells": [{"index", "status", "error"}...], "stopped"}: each code cell's status (ok, error, time limit,
kernel died or not run) and its error in one line; stopped says why cells were left unrun (time limit, kernel died,
error with --stop-on-error), or is null. When the notebook cannot run at all (unreadable, or the kernel does not
start), it prints {"failure": one line} and exits 1.
Usage: /usr/bin/python3 execute_notebook.py NOTEBOOK OUT --timeout SECONDS [--stop-on-error]"""

import argparse
import json
import os
import signal
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


def error_line(cell):
    """The cell's first error as one line, 'Name: message', or None when it raised none."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            first = (output.evalue.strip().splitlines() or [""])[0]
            return f"{output.ename}: {first}"[:300]
    return None


def execute(nb, path, timeout, stop_on_error):
    """Runs the code cells of nb in order until the time is up; returns (cell reports by index, stopped)."""
    # Errors are allowed so one failing cell does not hide the ones after it; each cell's status says what happened.
    # "immediate": a kernel stuck in a loop answers no shutdown request, so it is killed at once.
    client = NotebookClient(nb, kernel_name="charrnn", startup_timeout=120, allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": path}})
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    report = {i: {"index": i, "status": "not run", "error": None} for i in code}
    with client.setup_kernel():
        deadline = time.monotonic() + timeout  # the kernel's start is not the student's time
        for i in code:
            left = deadline - time.monotonic()
            if left < 1:
                return report, "time limit"
            client.timeout = int(left)  # nbclient takes whole seconds
            try:
                client.execute_cell(nb.cells[i], i, execution_count=client.code_cells_executed + 1)
            except CellTimeoutError:
                report[i] = {"index": i, "status": "time limit", "error": f"stopped at the notebook's limit of {timeout:g} s"}
                return report, "time limit"
            except DeadKernelError:
                report[i] = {"index": i, "status": "kernel died", "error": "the kernel died while running this cell"}
                return report, "kernel died"
            error = error_line(nb.cells[i])
            report[i] = {"index": i, "status": "error" if error else "ok", "error": error}
            if error and stop_on_error:
                return report, "error"
    return report, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("out")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--stop-on-error", action="store_true")
    args = parser.parse_args()
    # A SIGTERM from the caller unwinds through setup_kernel, which kills the kernel: none is left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        nb = nbformat.read(args.notebook, as_version=4)
        report, stopped = execute(nb, os.path.dirname(os.path.abspath(args.notebook)), args.timeout, args.stop_on_error)
    except Exception as e:
        print(json.dumps({"failure": (f"{type(e).__name__}: {e}".splitlines() or [""])[0][:300]}))
        sys.exit(1)
    nbformat.write(nb, args.out)
    print(json.dumps({"cells": list(report.values()), "stopped": stopped}))


main()
