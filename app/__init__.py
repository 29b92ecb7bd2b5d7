"""Embedding Lab core: pure Python (no Streamlit), shared by the pages and by notebooks."""
