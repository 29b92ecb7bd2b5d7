"""Start the app: the job workers start warming up, then `streamlit run lab_server.py` (the app with
security headers, see lab_server.py).

Heavy jobs run in processes forked from one warm forkserver (app.runtime.processes), whose preload
imports the heavy libraries and loads UMAP's compiled kernels from numba's disk cache (a few
seconds; `make run` fills that cache once after an install, see app.runtime.kernels). Streamlit has
no start-up hook, so `make run` goes through this file: the forkserver starts while the server waits
for its first visitor.
Extra arguments go to `streamlit run` (e.g. `python serve.py --server.port 8502`).
"""

import sys
from pathlib import Path

from streamlit.web import cli

from app.runtime.processes import start_workers

if __name__ == "__main__":
    start_workers()
    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent / "lab_server.py"), *sys.argv[1:]]
    sys.exit(cli.main())
