"""Whether large outputs are written with streaming (non-temporal) stores on this CPU.

A streaming store skips the read-for-ownership of each cold output line, which
paid on the AMD EPYC VMs the thresholds were set on (_plan_weighted
.WEIGHTED_STREAM_MIN_BYTES, _plan_nearest.STREAM_MIN_BYTES). On an Intel Xeon VM
(48 MB of L3) the same stores made every large job tried slower, by 3-65 %, from
4 MB outputs to 133 MB ones (three times its L3) and on one and two threads
(benchmarks/streaming.py), so Intel CPUs write through the caches. The choice
never changes a result: both ways store the same values.

``UPSAMPLE_STREAMING=on`` or ``off`` overrides the choice (read at import; the
tests switch ``ENABLED`` itself, with the plan caches cleared).
"""

import os

from upsample_c import _cpu


def _enabled(setting, vendor):
    """The choice for an ``UPSAMPLE_STREAMING`` value ("" when unset) on ``vendor``'s CPU."""
    setting = setting.strip().lower()
    if setting in ("on", "off"):
        return setting == "on"
    if setting not in ("", "auto"):
        raise ValueError(f"UPSAMPLE_STREAMING must be 'on', 'off' or 'auto', got {setting!r}")
    return vendor != "intel"


ENABLED = _enabled(os.environ.get("UPSAMPLE_STREAMING", ""), _cpu.vendor())
