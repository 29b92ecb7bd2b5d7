"""The WebGL picture's private route: a part is served only to the browser that made it, with
its token, before it expires; another browser (another XSRF cookie), no token, a guessed or
expired token all get the same bare 404."""

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from app.runtime.browser import XSRF_COOKIE, browser_id_from_xsrf
from app.runtime.picture_store import PictureStore
from pages.components.scatter.route import PATH, TOKEN_HEADER, picture_part


def xsrf(token: bytes, mask: bytes = b"\x01\x02\x03\x04") -> str:
    """A cookie in Streamlit's format: 2|mask|token xor mask|timestamp."""
    masked = bytes(b ^ mask[i % len(mask)] for i, b in enumerate(token))
    return f"2|{mask.hex()}|{masked.hex()}|1700000000"


ALICE, BOB = xsrf(b"alice-secret-token"), xsrf(b"bob-secret-token")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client_for(store: PictureStore, cookie: str | None) -> TestClient:
    client = TestClient(Starlette(routes=[Route(PATH, picture_part(store), methods=["GET"])]))
    if cookie is not None:
        client.cookies.set(XSRF_COOKIE, cookie)
    return client


def test_the_browser_that_made_the_picture_gets_its_bytes():
    store = PictureStore()
    token = store.put(browser_id_from_xsrf(ALICE), b"\x00\x01points", "h1")
    response = client_for(store, ALICE).get(PATH, headers={TOKEN_HEADER: token})
    assert response.status_code == 200 and response.content == b"\x00\x01points"
    assert "no-store" in response.headers["cache-control"]


def test_the_same_browser_with_a_fresh_mask_is_still_the_same_browser():
    store = PictureStore()
    token = store.put(browser_id_from_xsrf(ALICE), b"data", "h1")
    remasked = xsrf(b"alice-secret-token", mask=b"\x09\x08")
    assert client_for(store, remasked).get(PATH, headers={TOKEN_HEADER: token}).status_code == 200


def test_a_second_browser_cannot_fetch_the_picture_even_with_the_token():
    store = PictureStore()
    token = store.put(browser_id_from_xsrf(ALICE), b"alice's points", "h1")
    for cookie in (BOB, None, "garbage", "2|zz|zz|1"):
        response = client_for(store, cookie).get(PATH, headers={TOKEN_HEADER: token})
        assert response.status_code == 404 and b"alice" not in response.content


def test_no_token_or_a_guessed_token_gets_nothing():
    store = PictureStore()
    store.put(browser_id_from_xsrf(ALICE), b"data", "h1")
    client = client_for(store, ALICE)
    assert client.get(PATH).status_code == 404
    assert client.get(PATH, headers={TOKEN_HEADER: "h1"}).status_code == 404  # the content hash is not a token
    assert client.get(f"{PATH}?token=x").status_code == 404


def test_tokens_expire():
    clock = Clock()
    store = PictureStore(ttl_seconds=60, clock=clock)
    owner = browser_id_from_xsrf(ALICE)
    token = store.put(owner, b"data", "h1")
    clock.now = 59
    assert store.get(owner, token) == b"data"
    clock.now = 61
    assert store.get(owner, token) is None
    assert store.nbytes == 0


def test_the_same_content_keeps_one_copy_and_one_token_per_browser():
    store = PictureStore()
    alice, bob = browser_id_from_xsrf(ALICE), browser_id_from_xsrf(BOB)
    first = store.put(alice, b"x" * 100, "h")
    assert store.put(alice, b"x" * 100, "h") == first
    assert store.nbytes == 100
    other = store.put(bob, b"x" * 100, "h")  # another browser: its own token, never alice's
    assert other != first and store.get(bob, first) is None


def test_memory_is_bounded_oldest_first():
    store = PictureStore(max_bytes=250)
    owner = browser_id_from_xsrf(ALICE)
    tokens = [store.put(owner, bytes(100), f"h{i}") for i in range(3)]
    assert store.nbytes == 200
    assert store.get(owner, tokens[0]) is None and store.get(owner, tokens[2]) is not None


def test_tokens_are_long_and_random():
    store = PictureStore()
    owner = browser_id_from_xsrf(ALICE)
    tokens = {store.put(owner, b"d", f"h{i}") for i in range(50)}
    assert len(tokens) == 50 and min(len(t) for t in tokens) >= 40


def test_a_picture_needs_an_owner():
    import pytest

    with pytest.raises(ValueError):
        PictureStore().put("", b"d", "h")


def test_the_wrapped_app_answers_the_route_and_passes_everything_else_on():
    from starlette.responses import PlainTextResponse

    from pages.components.scatter.route import with_scatter_route

    store = PictureStore()
    token = store.put(browser_id_from_xsrf(ALICE), b"parts", "h")
    inner = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("streamlit"))])
    client = TestClient(with_scatter_route(inner, store))
    client.cookies.set(XSRF_COOKIE, ALICE)
    answer = client.get(PATH, headers={TOKEN_HEADER: token})
    assert answer.content == b"parts" and answer.headers["x-frame-options"] == "SAMEORIGIN"
    assert client.post(PATH, headers={TOKEN_HEADER: token}).status_code == 405
    assert client.get("/Explore").text == "streamlit"
