"""Executes one notebook headless with Debian's nbclient and the charrnn kernel, as a Jupyter front end
would, and writes the executed notebook (outputs included) to OUT. On a cell error it prints the cell's
error and exits 1. Usage: /usr/bin/python3 run_notebook.py NOTEBOOK OUT"""

import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

source, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
client = NotebookClient(nb, kernel_name="charrnn", timeout=600, startup_timeout=120,
                        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}})
try:
    client.execute()
except (CellExecutionError, CellTimeoutError) as e:
    print(str(e)[-4000:], file=sys.stderr)
    sys.exit(1)
finally:
    nbformat.write(nb, out)
