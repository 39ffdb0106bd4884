"""Wire audio: the spec's formats, base64 chunks, μ-law, and resampling to and from 16 kHz."""

from parley.audio.codec import (
    MODEL_SAMPLE_RATE,
    InputDecoder,
    OutputEncoder,
    b64decode_audio,
    b64encode_audio,
    float32_to_pcm16,
    pcm16_to_float32,
)
from parley.audio.formats import (
    SUPPORTED_FORMAT_NAMES,
    AudioError,
    AudioFormat,
    Encoding,
    InvalidAudioChunkError,
    UnsupportedAudioFormatError,
)

__all__ = [
    "MODEL_SAMPLE_RATE",
    "SUPPORTED_FORMAT_NAMES",
    "AudioError",
    "AudioFormat",
    "Encoding",
    "InputDecoder",
    "InvalidAudioChunkError",
    "OutputEncoder",
    "UnsupportedAudioFormatError",
    "b64decode_audio",
    "b64encode_audio",
    "float32_to_pcm16",
    "pcm16_to_float32",
]
