"""`get_file`: download a file into the kerasx cache (with hash check and archive extraction)."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from kerasx import config
from kerasx.utils.progbar import Progbar

if TYPE_CHECKING:
    import tarfile
    import zipfile


logger = logging.getLogger("kerasx")

_CHUNK = 1 << 16


class DownloadError(Exception):
    """Raised by `get_file` when the origin cannot be fetched."""


def _print_msg(message: str) -> None:
    if config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n")
        sys.stdout.flush()
    else:
        logger.info(message)


def _resolve_hash_algorithm(algorithm: str, file_hash: str | None) -> str:
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return algorithm


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = _CHUNK) -> str:
    """Return the hex digest of a file.

    Args:
        fpath: the file to hash.
        algorithm: a `hashlib` algorithm name (``"sha256"``, ``"md5"``, ...), or ``"auto"``
            (sha256).
        chunk_size: how many bytes to read at a time.

    Returns:
        The hex digest, as a string.
    """
    hasher = hashlib.new("sha256" if algorithm == "auto" else algorithm)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether a file's hash equals `file_hash`.

    Args:
        fpath: the file to check.
        file_hash: the expected hex digest.
        algorithm: a `hashlib` algorithm name, or ``"auto"``: sha256 for a 64-character
            hash, md5 otherwise.

    Returns:
        True when the digests match.
    """
    algorithm = _resolve_hash_algorithm(algorithm, file_hash)
    return hash_file(fpath, algorithm) == str(file_hash)


def _cache_base(cache_dir: str | None) -> str:
    import tempfile

    base = os.path.expanduser(cache_dir if cache_dir is not None else config.kerasx_home())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".kerasx")
        os.makedirs(base, exist_ok=True)
    return base


def _archive_formats(archive_format: Any) -> list[str]:
    if archive_format is None:
        return []
    if archive_format == "auto":
        return ["tar", "zip"]
    formats = [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for fmt in formats:
        if fmt not in ("tar", "zip"):
            raise ValueError(
                "Received an invalid value for `archive_format`, expected 'auto', 'tar', "
                f"'zip', a list of those, or None. Received: archive_format={archive_format!r}"
            )
    return formats


def _inside(root: str, path: str) -> bool:
    root = os.path.realpath(root)
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def _refuse(archive: str, member: str, dest: str, why: str) -> ValueError:
    return ValueError(
        f"Refusing to extract the archive {archive!r}: its member {member!r} {why}, outside "
        f"the target directory {dest!r}. The archive may be malicious."
    )


def _check_tar_members(tar: tarfile.TarFile, archive: str, dest: str) -> None:
    for member in tar.getmembers():
        name = member.name
        if os.path.isabs(name) or not _inside(dest, os.path.join(dest, name)):
            raise _refuse(archive, name, dest, "would be written")
        if member.issym():
            target = os.path.join(dest, os.path.dirname(name), member.linkname)
            if os.path.isabs(member.linkname) or not _inside(dest, target):
                raise _refuse(archive, name, dest, f"is a link to {member.linkname!r}")
        elif member.islnk():
            target = os.path.join(dest, member.linkname)
            if os.path.isabs(member.linkname) or not _inside(dest, target):
                raise _refuse(archive, name, dest, f"is a link to {member.linkname!r}")
        elif not (member.isfile() or member.isdir()):
            raise _refuse(archive, name, dest, "is a device or pipe, which would be created")


def _check_zip_members(archive_file: zipfile.ZipFile, archive: str, dest: str) -> None:
    for name in archive_file.namelist():
        if (
            os.path.isabs(name)
            or name.startswith(("/", "\\"))
            or not _inside(dest, os.path.join(dest, name))
        ):
            raise _refuse(archive, name, dest, "would be written")


def extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Extract a tar or zip archive safely into `path`.

    Every member is checked before anything is written: names that are absolute or climb out
    of `path` (``../``), links pointing outside `path`, and device files make it raise. The
    archive is unpacked into a temporary sibling directory that then replaces `path`.

    Args:
        file_path: the archive.
        path: the directory to extract into (replaced if it exists).
        archive_format: ``"auto"`` (tar then zip), ``"tar"``, ``"zip"``, a list of those, or
            None (extract nothing).

    Returns:
        True if the file was an archive of an allowed format and was extracted.
    """
    import shutil
    import tarfile
    import tempfile
    import zipfile

    for fmt in _archive_formats(archive_format):
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            opener, checker = tarfile.open, _check_tar_members
        elif fmt == "zip" and zipfile.is_zipfile(file_path):
            opener, checker = zipfile.ZipFile, _check_zip_members
        else:
            continue
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=".extract-")
        try:
            with opener(file_path) as archive:
                checker(archive, file_path, staging)
                if fmt == "tar" and hasattr(tarfile, "data_filter"):
                    archive.extractall(staging, filter="data")
                else:
                    archive.extractall(staging)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            elif os.path.lexists(path):
                os.remove(path)
            os.replace(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return True
    return False


def _download(origin: str, dest: str) -> None:
    """Fetch `origin` into `dest` (a temporary file), showing a progress bar."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(origin) as response, open(dest, "wb") as out:
            length = response.headers.get("Content-Length") if response.headers else None
            total = int(length) if length and length.isdigit() and int(length) else None
            bar = Progbar(total)
            done = 0
            bar.update(done, finalize=False)
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                bar.update(done, finalize=False)
            bar.update(done, finalize=True)
    except urllib.error.HTTPError as e:
        raise DownloadError(f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from e
    except urllib.error.URLError as e:
        raise DownloadError(f"URL fetch failure on {origin}: {e.errno} -- {e.reason}") from e


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: str | None = None,
    force_download: bool = False,
) -> str:
    """Download a file from a URL unless it is already in the cache, and return its path.

    The file goes to ``cache_dir/cache_subdir/fname``. It is downloaded into a temporary file
    in that directory, its hash is checked (when `file_hash` is given), and only then is it
    renamed into place, so the cache never holds a partial or corrupted file. A cached file
    whose hash does not match is downloaded again. Archives (tar, tar.gz, tar.bz2, zip, ...)
    can be extracted; members that would land outside the extraction directory are refused.

    Args:
        fname: the file's name in the cache (no directories). ``None`` uses the last part of
            the URL's path.
        origin: the URL to download (``http://``, ``https://``, ``file://``, ...).
        untar: deprecated; same as ``extract=True``.
        md5_hash: deprecated; same as ``file_hash=md5_hash, hash_algorithm="md5"``.
        file_hash: the expected sha256 or md5 hex digest of the file.
        cache_subdir: the sub-directory of `cache_dir` to store the file in (an absolute path
            is used as is).
        hash_algorithm: ``"auto"`` (sha256 for a 64-character hash, md5 otherwise),
            ``"sha256"``, ``"md5"``, or another `hashlib` name.
        extract: extract the file as an archive. When `fname` has an extension (e.g.
            ``"data.tar.gz"``) the archive keeps that name and is extracted to
            ``"data_extracted"``; otherwise the archive is stored as ``fname + "_archive"``
            and extracted to `fname`.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"``, a list of those, or None.
        cache_dir: the cache root; default ``$KERASX_HOME`` or ``~/.kerasx``, created if
            needed (or a `.kerasx` directory in the system temp dir when not writable).
        force_download: download even if the file is cached.

    Returns:
        The path of the downloaded file, or of the extraction directory with `extract`.
    """
    import tempfile
    import urllib.parse

    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash = md5_hash
        hash_algorithm = "md5"

    named_by_user = fname is not None
    if fname is None:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. "
                "Please specify the `fname` argument."
            )
    else:
        fname = os.fspath(fname)
        if os.path.basename(fname) != fname or "/" in fname or "\\" in fname:
            raise ValueError(
                "Paths are no longer accepted as the `fname` argument. To specify the file's "
                f"parent directory, use the `cache_dir` argument. Received: fname={fname}"
            )

    datadir = os.path.join(_cache_base(cache_dir), cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    extract = extract or untar
    extract_dir = None
    if extract:
        if named_by_user and "." in fname:
            extract_dir = os.path.join(datadir, fname.split(".")[0] + "_extracted")
        else:
            extract_dir = os.path.join(datadir, fname)
            fname = fname + "_archive"
    fpath = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(fpath)
    if (
        not download
        and file_hash is not None
        and not validate_file(fpath, file_hash, hash_algorithm)
    ):
        _print_msg(
            "A local file was found, but it seems to be incomplete or outdated because the "
            f"{hash_algorithm} file hash does not match the original value of {file_hash} "
            "so we will re-download the data."
        )
        download = True

    if download:
        _print_msg(f"Downloading data from {origin}")
        fd, partial = tempfile.mkstemp(dir=datadir, prefix=f".{fname}.", suffix=".part")
        os.close(fd)
        try:
            _download(origin, partial)
            if file_hash is not None and not validate_file(partial, file_hash, hash_algorithm):
                raise ValueError(
                    "Incomplete or corrupted file detected. The "
                    f"{hash_algorithm} file hash does not match the provided value of "
                    f"{file_hash}."
                )
            os.replace(partial, fpath)
        finally:
            if os.path.exists(partial):
                os.remove(partial)

    if extract_dir is None:
        return fpath
    if download or not os.path.exists(extract_dir):
        if not extract_archive(fpath, extract_dir, archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
    return extract_dir
