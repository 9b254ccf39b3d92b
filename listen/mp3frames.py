"""MPEG audio Layer III frames, read and changed without decoding: a global gain, a count.

Each granule of a Layer III frame carries an 8-bit ``global_gain``; the
decoder scales that granule by 2^(gain/4), so adding one step makes it
exactly 1.505 dB louder. Changing it in every granule is how a finished MP3
gets a new level without re-encoding (the mp3gain method), and how listen
applies the loudness it measured while the audio was still being encoded.

Frames are located by walking their headers. Side-information layouts are
the standard's for MPEG-1 and MPEG-2/2.5; a frame protected by a CRC gets its
CRC recomputed. A LAME/Xing information frame is left as it is: its side
information is empty, and its own checksum covers it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from listen.errors import AudioError

GAIN_STEP_DB = 20 * math.log10(2**0.25)  # 1.505 dB

_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}


@dataclass(frozen=True)
class Frame:
    offset: int
    length: int
    version: int  # 1, 2 or 25 (MPEG-2.5)
    channels: int
    protected: bool

    @property
    def samples(self) -> int:
        return 1152 if self.version == 1 else 576

    @property
    def side_info(self) -> int:
        """Bytes of side information after the header (and its CRC)."""
        if self.version == 1:
            return 17 if self.channels == 1 else 32
        return 9 if self.channels == 1 else 17

    @property
    def data_start(self) -> int:
        return self.offset + 4 + (2 if self.protected else 0)

    def gain_bits(self) -> list[int]:
        """Bit offsets of every ``global_gain``, counted from the side information's start."""
        if self.version == 1:
            base = 9 + (5 if self.channels == 1 else 3) + 4 * self.channels
            return [base + i * 59 + 21 for i in range(2 * self.channels)]
        base = 8 + (1 if self.channels == 1 else 2)
        return [base + i * 63 + 21 for i in range(self.channels)]


def samples_per_frame(sample_rate: int) -> int:
    """Layer III codes 1152 samples a frame at 32 kHz and above, 576 below (MPEG-2 and 2.5)."""
    return 1152 if sample_rate >= 32000 else 576


def parse_header(data: bytes | bytearray, offset: int) -> Frame | None:
    if offset + 4 > len(data):
        return None
    header = int.from_bytes(data[offset : offset + 4], "big")
    if header >> 21 != 0x7FF or (header >> 17) & 3 != 0b01:  # sync, Layer III
        return None
    version = _VERSIONS.get((header >> 19) & 3)
    rate_index = (header >> 10) & 3
    bitrate_index = (header >> 12) & 15
    if version is None or rate_index == 3 or bitrate_index in (0, 15):
        return None  # reserved, or free format (which no encoder here writes)
    bitrate = _BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    padding = (header >> 9) & 1
    length = (144 if version == 1 else 72) * bitrate // rate + padding
    channels = 1 if (header >> 6) & 3 == 0b11 else 2
    return Frame(offset, length, version, channels, protected=not (header >> 16) & 1)


def frames(data: bytes | bytearray) -> list[Frame]:
    """Every frame of a bare MPEG stream (no ID3 tag in front); raise if it is not one."""
    found: list[Frame] = []
    offset = 0
    while offset < len(data):
        frame = parse_header(data, offset)
        if frame is None or offset + frame.length > len(data):
            raise AudioError(f"not an MP3 frame at byte {offset}")
        found.append(frame)
        offset += frame.length
    return found


def _is_info_frame(data: bytes | bytearray, frame: Frame) -> bool:
    start = frame.data_start + frame.side_info
    return bytes(data[start : start + 4]) in (b"Xing", b"Info")


def _crc16(data: bytes | bytearray) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def apply_gain(data: bytes | bytearray, steps: int) -> bytearray:
    """The same MP3 frames, every granule ``steps`` x 1.505 dB louder (negative: quieter)."""
    out = bytearray(data)
    if steps == 0:
        return out
    for frame in frames(out):
        if _is_info_frame(out, frame):
            continue
        start = frame.data_start
        for bit in frame.gain_bits():
            at = start + bit // 8
            shift = 16 - bit % 8  # the 8 bits sit inside a 24-bit window starting at ``at``
            window = int.from_bytes(out[at : at + 3], "big")
            gain = (window >> shift) & 0xFF
            changed = min(255, max(0, gain + steps))
            window = (window & ~(0xFF << shift)) | (changed << shift)
            out[at : at + 3] = window.to_bytes(3, "big")
        if frame.protected:
            # The CRC covers the header's last two bytes and the side information.
            side = out[start : start + frame.side_info]
            covered = out[frame.offset + 2 : frame.offset + 4] + side
            out[frame.offset + 4 : frame.offset + 6] = _crc16(covered).to_bytes(2, "big")
    return out


def duration_samples(data: bytes | bytearray) -> int:
    """Decoded length of a bare MPEG stream, in samples (no gapless trimming)."""
    return sum(f.samples for f in frames(data))
