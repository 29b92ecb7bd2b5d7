"""The sidebar's "Copy link to this view": the address bar is the view link (page settings plus
shareable data), so the button copies the live address. A private space cannot be shared by
link: the panel says so and offers to publish it (teacher) or to export it."""

from __future__ import annotations

import streamlit as st

from pages._ui import session, state, workspace
from pages._ui.text import plain

_COPY_BUTTON = """
<style>
  body { margin: 0; font-family: "Source Sans Pro", sans-serif; font-size: 14px; }
  button { width: 100%; padding: 6px 10px; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 8px;
           background: white; cursor: pointer; font: inherit; }
  button:hover { border-color: #ff4b4b; color: #ff4b4b; }
  input { width: 100%; box-sizing: border-box; margin-top: 6px; padding: 4px; font: 12px monospace;
          border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 4px; color: #31333f; }
</style>
<button id="copy" type="button">Copy link to this view</button>
<input id="link" readonly aria-label="Link to this view" placeholder="the link appears here">
<script>
  const button = document.getElementById("copy"), box = document.getElementById("link");
  function viewLink() {
    const address = new URL(window.parent.location.href);
    address.searchParams.delete("ws");  // never a workspace key, whatever happened to the address
    return address.toString();
  }
  button.addEventListener("click", async () => {
    box.value = viewLink();
    box.select();
    let copied = false;
    try { await navigator.clipboard.writeText(box.value); copied = true; }
    catch (e) { copied = document.execCommand && document.execCommand("copy"); }
    button.textContent = copied ? "Copied: paste it anywhere" : "Select the link below and copy it";
  });
</script>
"""


def view_link_panel() -> None:
    """Sidebar: copy the view link, or say why this view cannot be shared and what to do instead."""
    active = state.active_space()
    if session.shareable():
        st.iframe(_COPY_BUTTON, height=80, alt="Copy link to this view")
        st.caption("The link opens this page with its settings and data; it never contains your workspace.")
        return
    assert active is not None
    st.caption(
        f"**{plain(active.name)}** is private to this browser (an upload, a trained or a debiased space), "
        "so a link cannot show it to others. Export it from Explore's downloads, or ask the teacher to publish it."
    )
    if workspace.is_teacher() and st.button("Publish it to the class", key="share_publish"):
        workspace.publish_active()
