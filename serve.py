"""Start the app: the job workers start warming up, then `streamlit run lab_server.py` (the app with
security headers, see lab_server.py).

Heavy jobs run in processes forked from one warm forkserver (app.runtime.processes), whose preload
imports the heavy libraries and loads UMAP's compiled kernels from numba's disk cache (a few
seconds; `make run` fills that cache once after an install, see app.runtime.kernels). Streamlit has
no start-up hook, so `make run` goes through this file: the forkserver starts first, and Streamlit
answers once it is warm (a few seconds), so a student's first job never waits behind imports.
Extra arguments go to `streamlit run` (e.g. `python serve.py --server.port 8502`).
"""

import contextlib
import sys
import time
from pathlib import Path

from app.runtime.processes import start_workers, wait_until_warm

WARM_TIMEOUT = 120.0  # s; a server whose workers take longer starts answering anyway (jobs then wait)

if __name__ == "__main__":
    began = time.perf_counter()
    start_workers()
    from streamlit.web import cli  # imported while the workers warm up

    with contextlib.suppress(ImportError):  # a training's result brings its gensim model back, unpickled
        import gensim.models  # noqa: F401  # here: the import took 1.3 s of a student's first training

    warm = wait_until_warm(WARM_TIMEOUT)
    state = "warm" if warm else f"not warm after {WARM_TIMEOUT:.0f} s; starting anyway"
    print(f"job workers {state} ({time.perf_counter() - began:.1f} s); starting the web server", flush=True)
    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent / "lab_server.py"), *sys.argv[1:]]
    sys.exit(cli.main())
