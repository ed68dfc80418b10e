"""TensorBoard event files without TensorFlow: scalar summaries written (and read back) in pure Python.

An event file is a sequence of TFRecords (length, masked CRC32C of the length, data, masked
CRC32C of the data) whose data are `Event` protocol buffers; the few fields TensorBoard
needs for scalars are encoded by hand here:
``Event{wall_time: double = 1, step: int64 = 2, file_version: string = 3, summary: Summary = 5}``,
``Summary{value: repeated Value = 1}``, ``Value{tag: string = 1, simple_value: float = 2}``.
"""
from __future__ import annotations

import os
import socket
import struct
import time
from typing import Dict, Iterator, List, Tuple

_CRC32C_POLYNOMIAL = 0x82F63B78  # Castagnoli, bit-reversed


def _crc32c_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum of `data`, the one TFRecord files use."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # int64 fields: two's complement, as protobuf does
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _length_delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _event(wall_time: float, step: int, body: bytes) -> bytes:
    return b"\x09" + struct.pack("<d", wall_time) + b"\x10" + _varint(step) + body


def _scalars_summary(scalars: Dict[str, float]) -> bytes:
    values = b"".join(_length_delimited(1, _length_delimited(1, tag.encode("utf-8")) + b"\x15"
                                        + struct.pack("<f", float(value)))
                      for tag, value in scalars.items())
    return _length_delimited(5, values)


class EventFileWriter:
    """Writes scalar summaries to a new ``events.out.tfevents.<time>.<host>`` file in `log_dir`.

    # Arguments
        log_dir: the folder TensorBoard reads (created if missing).
    """

    def __init__(self, log_dir: str):
        os.makedirs(log_dir, exist_ok=True)
        self.path = os.path.join(log_dir, f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}")
        self._file = open(self.path, "wb")
        self._write(_event(time.time(), 0, _length_delimited(3, b"brain.Event:2")))

    def _write(self, data: bytes) -> None:
        length = struct.pack("<Q", len(data))
        self._file.write(length + struct.pack("<I", _masked_crc(length)) + data
                         + struct.pack("<I", _masked_crc(data)))

    def add_scalars(self, scalars: Dict[str, float], step: int) -> None:
        """Writes one event holding a scalar summary for each ``tag: value``."""
        self._write(_event(time.time(), int(step), _scalars_summary(scalars)))

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _read_varint(data: bytes, pos: int) -> Tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> Iterator[Tuple[int, object]]:
    """The ``(field number, value)`` pairs of a protobuf message (varint, fixed and length-delimited fields)."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire == 2:
            size, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ValueError(f"event file: unsupported protobuf wire type {wire} (field {field})")
        yield field, value


def read_scalars(path: str) -> List[Tuple[int, str, float]]:
    """The ``(step, tag, value)`` scalar summaries of an event file, checking every record's checksums.

    # Raises
        ValueError: on a corrupted record.
    """
    with open(path, "rb") as f:
        data = f.read()
    scalars, pos = [], 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        record = data[pos + 12:pos + 12 + length]
        (record_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if header_crc != _masked_crc(header) or record_crc != _masked_crc(record):
            raise ValueError(f"event file {path}: corrupted record at byte {pos}")
        pos += 16 + length
        event = dict(_fields(record))
        for _, value in _fields(event.get(5, b"")):
            fields = dict(_fields(value))
            scalars.append((event.get(2, 0), fields[1].decode("utf-8"), struct.unpack("<f", fields[2])[0]))
    return scalars
