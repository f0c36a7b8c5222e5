"""Python locks that stay usable in a forked child.

``fork`` copies only the thread that calls it. A lock that another thread held
at that moment stays held for ever in the child, whose first call that needs
it then hangs. A lock made here is taken before every ``os.fork`` (which the
``fork`` and ``forkserver`` start methods of ``multiprocessing`` use) and
released after it, in the parent and in the child, so that the child finds
the lock free and what it guards in a consistent state. Code holding one of
these locks takes no other and waits for nothing but, briefly, the output
cache's C lock (when a dropped array frees its block), whose holders wait for
nothing: taking them before a fork only waits for another thread to finish a
few dictionary operations.
"""

import os
import threading


def fork_safe_lock():
    """A new ``threading.Lock`` that is held across every ``os.fork`` (see above).

    For locks that live as long as the process: each registers fork handlers
    that are never removed.
    """
    lock = threading.Lock()
    if hasattr(os, "register_at_fork"):  # every POSIX Python since 3.7
        os.register_at_fork(before=lock.acquire, after_in_parent=lock.release,
                            after_in_child=lock.release)
    return lock
