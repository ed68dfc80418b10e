"""The pure-Python TensorBoard event writer: CRC-32C, record framing, and scalars read back."""
import struct

import pytest

from symkeras.utils.event_writer import EventFileWriter, crc32c, read_scalars


def test_crc32c_known_value():
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    assert crc32c(b"") == 0


def test_scalars_round_trip_and_file_layout(tmp_path):
    writer = EventFileWriter(str(tmp_path / "run"))
    writer.add_scalars({"loss": 0.5, "val_acc": 0.25}, step=3)
    writer.add_scalars({"loss": -1.5}, step=2 ** 40)
    writer.close()
    assert (tmp_path / "run").exists() and "events.out.tfevents." in writer.path
    assert read_scalars(writer.path) == [(3, "loss", 0.5), (3, "val_acc", 0.25), (2 ** 40, "loss", -1.5)]
    with open(writer.path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    assert data[12:12 + length].endswith(b"brain.Event:2")  # the first event names the file version


def test_a_corrupted_record_is_an_error(tmp_path):
    writer = EventFileWriter(str(tmp_path))
    writer.add_scalars({"loss": 0.5}, step=1)
    writer.close()
    with open(writer.path, "r+b") as f:
        f.seek(-6, 2)  # inside the last record's float
        byte = f.read(1)
        f.seek(-6, 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ValueError, match="corrupted record at byte"):
        read_scalars(writer.path)
