"""The server's entry point: `streamlit run lab_server.py` serves streamlit_app.py with security headers,
and answers /_lab/scatter, the route that serves Explore's WebGL pictures (pages/components/scatter/route.py).

`streamlit run` finds `app` below and serves it (Streamlit's public st.App); the pages themselves are
unchanged. Running `streamlit run streamlit_app.py` still works, without the extra headers (and
Explore then draws every picture with Plotly).
"""

import streamlit as st
from starlette.middleware import Middleware

from pages.components import scatter
from pages.components.scatter.route import with_scatter_route
from security_headers import SecurityHeaders

app = st.App("streamlit_app.py", middleware=[Middleware(SecurityHeaders)])
app = with_scatter_route(app)  # the same app for every other path, websocket and lifespan event
scatter.mount()
