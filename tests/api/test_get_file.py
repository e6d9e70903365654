"""kerasx.utils.get_file: downloads from a local HTTP server and file:// URLs (no internet)."""

import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading
import zipfile

import pytest

from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.utils.file_utils import DownloadError, extract_archive, get_file, validate_file

PAYLOAD = b"hello kerasx\n" * 1000


@pytest.fixture(params=installed_engines(), autouse=True)
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def served(tmp_path):
    """A directory served by a local HTTP server; yields (directory, base_url, request_log)."""
    root = tmp_path / "www"
    root.mkdir()
    log = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            log.append(self.path)
            super().do_GET()

    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _md5(data):
    return hashlib.md5(data).hexdigest()


def _make_tar(path, members, mode="w:gz"):
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _make_zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _listing(directory):
    out = {}
    for dirpath, _, files in os.walk(directory):
        for f in files:
            full = os.path.join(dirpath, f)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, directory)] = fh.read()
    return out


def test_http_download_and_cache(served, tmp_path, capsys):
    root, url, log = served
    (root / "data.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    path = get_file("data.bin", f"{url}/data.bin", cache_dir=str(cache), file_hash=_sha256(PAYLOAD))
    assert path == str(cache / "datasets" / "data.bin")
    assert _read(path) == PAYLOAD
    out = capsys.readouterr().out
    assert out.startswith(f"Downloading data from {url}/data.bin\n")
    assert "\r" not in out and "\b" not in out and "\x1b" not in out  # stdout is not a tty
    assert f"{len(PAYLOAD)}/{len(PAYLOAD)} " in out
    # cached: no second request, also with an md5 hash or none
    assert get_file("data.bin", f"{url}/data.bin", cache_dir=str(cache)) == path
    assert get_file("data.bin", f"{url}/data.bin", cache_dir=str(cache), md5_hash=_md5(PAYLOAD))
    assert log == ["/data.bin"]
    # force_download fetches again
    get_file("data.bin", f"{url}/data.bin", cache_dir=str(cache), force_download=True)
    assert log == ["/data.bin", "/data.bin"]
    # no leftover temporary files
    assert sorted(os.listdir(cache / "datasets")) == ["data.bin"]


def test_fname_from_origin_and_subdirs(served, tmp_path):
    root, url, _ = served
    (root / "f.txt").write_bytes(b"abc")
    path = get_file(origin=f"{url}/f.txt?x=1", cache_dir=str(tmp_path), cache_subdir="a/b")
    assert path == str(tmp_path / "a" / "b" / "f.txt")
    absolute = tmp_path / "elsewhere"
    path = get_file("g.txt", f"{url}/f.txt", cache_dir=str(tmp_path), cache_subdir=str(absolute))
    assert path == str(absolute / "g.txt")


def test_default_cache_dir_is_kerasx_home(served, tmp_path, monkeypatch):
    root, url, _ = served
    (root / "f.txt").write_bytes(b"abc")
    monkeypatch.setenv("KERASX_HOME", str(tmp_path / "home"))
    path = get_file("f.txt", f"{url}/f.txt")
    assert path == str(tmp_path / "home" / "datasets" / "f.txt")


def test_hash_mismatch_redownloads(served, tmp_path, capsys):
    root, url, log = served
    (root / "d.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "c"
    stale = cache / "datasets" / "d.bin"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old and truncated")
    path = get_file("d.bin", f"{url}/d.bin", cache_dir=str(cache), file_hash=_sha256(PAYLOAD))
    assert _read(path) == PAYLOAD
    out = capsys.readouterr().out
    assert "the sha256 file hash does not match" not in out  # auto is reported as given
    assert "because the auto file hash does not match the original value of" in out
    assert log == ["/d.bin"]


def test_corrupted_download_is_rejected_and_not_cached(served, tmp_path):
    root, url, _ = served
    (root / "d.bin").write_bytes(PAYLOAD)
    for algo_hash in ("0" * 64, "0" * 32):
        with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The auto"):
            get_file("d.bin", f"{url}/d.bin", cache_dir=str(tmp_path), file_hash=algo_hash)
    with pytest.raises(ValueError, match="The sha1 file hash does not match the provided"):
        get_file(
            "d.bin", f"{url}/d.bin", cache_dir=str(tmp_path), file_hash="ab", hash_algorithm="sha1"
        )
    assert os.listdir(tmp_path / "datasets") == []


def test_validate_file_detects_algorithm(tmp_path):
    f = tmp_path / "x"
    f.write_bytes(PAYLOAD)
    assert validate_file(str(f), _sha256(PAYLOAD))
    assert validate_file(str(f), _md5(PAYLOAD))
    assert validate_file(str(f), _md5(PAYLOAD), "md5")
    assert not validate_file(str(f), _md5(PAYLOAD), "sha256")


def test_file_url(tmp_path):
    src = tmp_path / "src.txt"
    src.write_bytes(b"local")
    path = get_file("copy.txt", src.as_uri(), cache_dir=str(tmp_path / "c"))
    assert _read(path) == b"local"


def test_fetch_failures(served, tmp_path):
    _, url, _ = served
    with pytest.raises(DownloadError, match=r"URL fetch failure on .*/missing.bin: 404 -- "):
        get_file("m.bin", f"{url}/missing.bin", cache_dir=str(tmp_path))
    missing = (tmp_path / "nope.txt").as_uri()
    with pytest.raises(Exception, match="URL fetch failure on file://"):
        get_file("n.txt", missing, cache_dir=str(tmp_path))
    assert os.listdir(tmp_path / "datasets") == []


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match='Please specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="Can't parse the file name from the origin"):
        get_file(origin="http://127.0.0.1:1/dir/", cache_dir=str(tmp_path))
    for bad in ("a/b.txt", str(tmp_path / "abs.txt")):
        with pytest.raises(ValueError, match="Paths are no longer accepted as the `fname`"):
            get_file(bad, "http://127.0.0.1:1/x", cache_dir=str(tmp_path))


MEMBERS = {"a.txt": b"hello\n", "sub/b.txt": b"world\n"}


@pytest.mark.parametrize(
    "fname, kwargs, archive, extracted",
    [
        ("data.tar.gz", {"extract": True}, "data.tar.gz", "data_extracted"),
        ("v1.2.tgz", {"extract": True}, "v1.2.tgz", "v1_extracted"),
        ("d2", {"extract": True}, "d2_archive", "d2"),
        ("d3", {"untar": True}, "d3_archive", "d3"),
        (None, {"extract": True}, "src.tar.gz_archive", "src.tar.gz"),
    ],
)
def test_extract_tar_naming_like_keras(tmp_path, fname, kwargs, archive, extracted):
    src = tmp_path / "src.tar.gz"
    _make_tar(src, MEMBERS)
    cache = tmp_path / "c"
    path = get_file(fname, src.as_uri(), cache_dir=str(cache), **kwargs)
    assert path == str(cache / "datasets" / extracted)
    assert os.path.isfile(cache / "datasets" / archive)
    assert _listing(path) == MEMBERS
    # cached: the same path comes back without a download
    os.remove(src)
    assert get_file(fname, src.as_uri(), cache_dir=str(cache), **kwargs) == path


@pytest.mark.parametrize("fmt", ["zip", "tar", "tar:bz2"])
def test_extract_formats(served, tmp_path, fmt):
    root, url, _ = served
    name = {"zip": "d.zip", "tar": "d.tar", "tar:bz2": "d.tar.bz2"}[fmt]
    if fmt == "zip":
        _make_zip(root / name, MEMBERS)
    else:
        _make_tar(root / name, MEMBERS, mode="w" if fmt == "tar" else "w:bz2")
    path = get_file(name, f"{url}/{name}", cache_dir=str(tmp_path), extract=True)
    assert path == str(tmp_path / "datasets" / "d_extracted")
    assert _listing(path) == MEMBERS


def test_extract_with_wrong_format_warns(tmp_path):
    src = tmp_path / "s.tgz"
    _make_tar(src, MEMBERS)
    with pytest.warns(UserWarning, match="Could not extract archive"):
        path = get_file(
            "s.tgz", src.as_uri(), cache_dir=str(tmp_path), extract=True, archive_format="zip"
        )
    assert not os.path.exists(path)
    with pytest.raises(ValueError, match="`archive_format`"):
        extract_archive(str(src), str(tmp_path / "o"), archive_format="rar")


@pytest.mark.parametrize(
    "members",
    [
        {"../evil.txt": b"x"},
        {"ok/../../evil.txt": b"x"},
        {"/tmp/evil_abs.txt": b"x"},
    ],
)
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extract_refuses_escaping_members(tmp_path, members, kind):
    src = tmp_path / ("bad.tar.gz" if kind == "tar" else "bad.zip")
    if kind == "tar":
        _make_tar(src, {"fine.txt": b"ok", **members})
    else:
        _make_zip(src, {"fine.txt": b"ok", **members})
    cache = tmp_path / "c"
    with pytest.raises(ValueError, match="Refusing to extract the archive"):
        get_file(src.name, src.as_uri(), cache_dir=str(cache), extract=True)
    assert not (tmp_path / "evil.txt").exists()
    assert not (cache / "evil.txt").exists()
    assert not os.path.exists("/tmp/evil_abs.txt")
    assert [p for p in os.listdir(cache / "datasets") if p.startswith(".extract")] == []
    assert not (cache / "datasets" / "bad_extracted").exists()


@pytest.mark.parametrize("link_target", ["../../outside", "/etc/passwd"])
def test_extract_refuses_escaping_links(tmp_path, link_target):
    src = tmp_path / "links.tar"
    with tarfile.open(src, "w") as tar:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = link_target
        tar.addfile(info)
    with pytest.raises(ValueError, match="is a link to"):
        extract_archive(str(src), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
