"""Streamlit helpers shared by the pages (Streamlit does not list subfolders of pages/)."""
