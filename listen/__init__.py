"""listen: an offline text-to-speech article reader."""

__version__ = "0.1.0"
