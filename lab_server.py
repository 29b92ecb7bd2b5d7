"""The server's entry point: `streamlit run lab_server.py` serves streamlit_app.py with security headers.

`streamlit run` finds `app` below and serves it (Streamlit's public st.App); the pages themselves are
unchanged. Running `streamlit run streamlit_app.py` still works, without the extra headers.
"""

import streamlit as st
from starlette.middleware import Middleware

from security_headers import SecurityHeaders

app = st.App("streamlit_app.py", middleware=[Middleware(SecurityHeaders)])
