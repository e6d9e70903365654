"""RemoteMonitor: each epoch's logs posted to a real HTTP server on the loopback interface."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import kerasx


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            n = int(self.headers.get("Content-Length", 0))
            received.append((self.path, dict(self.headers), self.rfile.read(n)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", received
    srv.shutdown()
    srv.server_close()


def _fit(callback):
    model = kerasx.Sequential([kerasx.Input((2,)), kerasx.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x = np.ones((4, 2), "float32")
    y = np.ones((4, 1), "float32")
    return model.fit(x, y, epochs=2, verbose=0, callbacks=[callback], validation_data=(x, y))


def _expected(history, epoch):
    return {"epoch": epoch, **{k: v[epoch] for k, v in history.history.items()}}


def test_form_encoded_posts(server):
    root, received = server
    history = _fit(kerasx.callbacks.RemoteMonitor(root=root))
    assert [r[0] for r in received] == ["/publish/epoch/end/"] * 2
    for epoch, (_, headers, body) in enumerate(received):
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
        assert list(sent) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
        assert sent == pytest.approx(_expected(history, epoch), rel=1e-6)
        assert body.decode() == "data=" + urllib.parse.quote_plus(json.dumps(sent))


def test_json_posts_custom_path_field_and_headers(server):
    root, received = server
    history = _fit(
        kerasx.callbacks.RemoteMonitor(root=root, send_as_json=True, headers={"X-A": "1"})
    )
    assert len(received) == 2
    for epoch, (path, headers, body) in enumerate(received):
        assert path == "/publish/epoch/end/" and headers["X-A"] == "1"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == pytest.approx(_expected(history, epoch), rel=1e-6)
    received.clear()
    _fit(kerasx.callbacks.RemoteMonitor(root=root, path="/p", field="f"))
    assert [r[0] for r in received] == ["/p", "/p"]
    assert all("f" in urllib.parse.parse_qs(r[2].decode()) for r in received)


def test_unreachable_server_warns_and_training_goes_on():
    monitor = kerasx.callbacks.RemoteMonitor(root="http://127.0.0.1:1")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        history = _fit(monitor)
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="headers"):
        kerasx.callbacks.RemoteMonitor(headers=[("X-A", "1")])
