"""Start the app: the job workers start warming up, then `streamlit run streamlit_app.py`.

Heavy jobs run in processes forked from one warm forkserver (app.runtime.jobs), whose preload imports the
heavy libraries and compiles UMAP's numba kernels once (about 45 s here). Streamlit has no start-up
hook, so `make run` goes through this file: the warm-up happens while the server waits for its
first visitor, not during a student's first UMAP.
Extra arguments go to `streamlit run` (e.g. `python serve.py --server.port 8502`).
"""

import sys
from pathlib import Path

from streamlit.web import cli

from app.runtime.jobs import start_workers

if __name__ == "__main__":
    start_workers()
    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent / "streamlit_app.py"), *sys.argv[1:]]
    sys.exit(cli.main())
