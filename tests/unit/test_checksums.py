"""``file_sha256`` is the digest every part of the project recognises files by."""

from __future__ import annotations

import hashlib
import random

from etl.checksums import file_sha256


def test_digest_of_a_file_read_in_blocks_is_that_of_its_bytes(tmp_path):
    # Larger than the blocks the file is read in, and not a multiple of them.
    body = random.Random(7).randbytes(3 * (1 << 20) + 12_345)
    path = tmp_path / "landed.bin"
    path.write_bytes(body)
    assert file_sha256(path) == hashlib.sha256(body).hexdigest()


def test_empty_file_and_one_changed_byte(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_sha256(empty) == hashlib.sha256(b"").hexdigest()
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x" * 1000)
    b.write_bytes(b"x" * 999 + b"y")
    assert file_sha256(a) != file_sha256(b)
