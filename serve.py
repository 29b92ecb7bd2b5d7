"""Start the app: UMAP's numba warm-up begins in this process, then `streamlit run streamlit_app.py`.

Streamlit has no start-up hook, so `make run` goes through this file: the compilation (about 40 s
here) happens while the server waits for its first visitor, not during a student's first UMAP.
Extra arguments go to `streamlit run` (e.g. `python serve.py --server.port 8502`).
"""

import sys
from pathlib import Path

from streamlit.web import cli

from app.projection import warm_up_umap_in_background

if __name__ == "__main__":
    warm_up_umap_in_background()
    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent / "streamlit_app.py"), *sys.argv[1:]]
    sys.exit(cli.main())
