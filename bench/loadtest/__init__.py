"""Helpers of bench/load_test.py: a Streamlit websocket client, the server under test, and the scenario."""
