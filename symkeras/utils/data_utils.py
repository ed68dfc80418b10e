"""Data utilities: the `Sequence` protocol for batch generators, and `get_file` for local dataset files.

symkeras never downloads: `get_file` resolves a file already placed in ``$SYMKERAS_HOME/datasets`` or
``~/.keras/datasets`` (Keras's cache folder), and says where to put it when it is missing.
"""
from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any, List, Optional


class Sequence:
    """Base object for fitting to a sequence of data, such as a dataset.

    Every `Sequence` must implement the `__getitem__` and the `__len__` methods.
    If you want to modify your dataset between epochs you may implement
    `on_epoch_end`. The method `__getitem__` should return a complete batch.

    # Notes
    `Sequence` is a safer way to do multiprocessing. This structure guarantees
    that the network will only train once on each sample per epoch which is
    not the case with generators.

    # Examples
    ```python
        class CIFAR10Sequence(Sequence):
            def __init__(self, x_set, y_set, batch_size):
                self.x, self.y = x_set, y_set
                self.batch_size = batch_size

            def __len__(self):
                return int(np.ceil(len(self.x) / float(self.batch_size)))

            def __getitem__(self, idx):
                batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
                batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]
                return np.array(batch_x), np.array(batch_y)
    ```
    """

    def __getitem__(self, index: int) -> Any:
        """Gets batch at position `index`.

        # Arguments
            index: position of the batch in the Sequence.

        # Returns
            A batch
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """Number of batch in the Sequence.

        # Returns
            The number of batches in the Sequence.
        """
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Method called at the end of every epoch."""

    def __iter__(self):
        """Create a generator that iterate over the Sequence."""
        for item in (self[i] for i in range(len(self))):
            yield item


def cache_roots(cache_dir: Optional[str] = None) -> List[Path]:
    """The folders searched for dataset files, in order: `cache_dir`, ``$SYMKERAS_HOME``, ``~/.keras``."""
    roots = [Path(cache_dir)] if cache_dir else []
    if os.environ.get("SYMKERAS_HOME"):
        roots.append(Path(os.environ["SYMKERAS_HOME"]))
    roots.append(Path.home() / ".keras")
    return roots


def _extract(archive: Path, archive_format: str) -> None:
    """Unpacks a tar or zip `archive` next to itself (``'auto'`` tries both)."""
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format]
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(archive):
            with tarfile.open(archive) as handle:
                handle.extractall(archive.parent)
            return
        if kind == "zip" and zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as handle:
                handle.extractall(archive.parent)
            return


def get_file(fname: str, origin: Optional[str] = None, untar: bool = False, md5_hash: Optional[str] = None,
             file_hash: Optional[str] = None, cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto", cache_dir: Optional[str] = None) -> str:
    """Finds a dataset file in the local cache; symkeras never downloads.

    Keras's `get_file` downloads `origin` into ``~/.keras/<cache_subdir>``; symkeras only looks
    for the file there (and in ``$SYMKERAS_HOME/<cache_subdir>`` and `cache_dir`), so a program
    runs offline once the file has been copied into place. A file is used whatever its hash.

    # Arguments
        fname: Name of the file, as Keras would have saved it.
        origin: Original URL of the file (only quoted in the error message).
        untar: Deprecated in favor of 'extract'; the file is a tar archive to unpack.
        md5_hash: Deprecated in favor of 'file_hash'; accepted and not checked.
        file_hash: Accepted and not checked (a re-packed local file has another hash).
        cache_subdir: Subdirectory of the cache roots where the file is looked for.
        hash_algorithm: Accepted for compatibility.
        extract: True tries extracting the file as an Archive, like tar or zip.
        archive_format: Archive format to try for extracting the file:
            'auto', 'tar' or 'zip'.
        cache_dir: A folder searched before ``$SYMKERAS_HOME`` and ``~/.keras``.

    # Returns
        Path to the file (to the extracted folder when `untar` is set).

    # Raises
        FileNotFoundError: the file is in none of the cache folders; the message lists them.
    """
    candidates = [root / cache_subdir / (fname + ".tar.gz" if untar else fname) for root in cache_roots(cache_dir)]
    for path in candidates:
        if path.is_file():
            if untar or extract:
                untarred = path.parent / fname
                if not (untar and untarred.exists()):
                    _extract(path, "tar" if untar else archive_format)
                if untar:
                    return str(untarred)
            return str(path)
    places = ", ".join(str(path) for path in candidates)
    source = f" (download it from {origin})" if origin else ""
    raise FileNotFoundError(f"symkeras does not download files: {fname!r} was not found; place it at one of "
                            f"{places}{source}")
