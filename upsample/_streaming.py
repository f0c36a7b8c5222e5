"""Whether large outputs are written with streaming (non-temporal) stores.

A streaming store skips the read-for-ownership of each cold output line: outputs
from _plan_weighted.WEIGHTED_STREAM_MIN_BYTES (linear and cubic) and
_plan_nearest.STREAM_MIN_BYTES (nearest) on are written that way.
``benchmarks/streaming.py`` times both ways beside OpenCV. The choice never
changes a result: both store the same values.

``UPSAMPLE_STREAMING=off`` writes every output through the caches (``on`` or
``auto``, the default, streams); it is read at import. The tests switch
``ENABLED`` itself, with the plans dropped.
"""

import os


def _enabled(setting):
    """The choice for an ``UPSAMPLE_STREAMING`` value ("" when unset)."""
    setting = setting.strip().lower()
    if setting not in ("", "auto", "on", "off"):
        raise ValueError(f"UPSAMPLE_STREAMING must be 'on', 'off' or 'auto', got {setting!r}")
    return setting != "off"


ENABLED = _enabled(os.environ.get("UPSAMPLE_STREAMING", ""))
