"""Process pools: forked, spawned and forkserver children never hang and get the parent's bits.

GNU OpenMP's worker threads do not survive ``fork``: before the fork handler
(include/ups_fork_guard.h), a threaded call in a child forked after a threaded
call in the parent waited for ever. Each scenario runs in a fresh Python
process with a timeout, so that a hang fails the test instead of CI; its
children report a digest of their results, which must equal the parent's,
and whether they ran with threads.
"""

import json
import os
import platform
import signal
import subprocess
import sys
import textwrap

import pytest

import upsample

TIMEOUT = 180  # seconds per scenario; each takes 1-10 s on a loaded 2-core machine

# The job every scenario runs: a 300 x 400 RGB image at x2 in cubic on two threads
# (3 million multiply-adds per axis: well above the one-thread limit), and what the
# process looked like right after it.
JOB = '''
import hashlib, json, os, sys, threading, time
import numpy as np
import upsample

def image(seed):
    return np.random.default_rng(seed).random((1, 300, 400, 3), dtype=np.float32)

def digest(seed, num_threads=2):
    out = upsample.upsample(image(seed), 2, mode="cubic", num_threads=num_threads)
    return hashlib.sha256(out.tobytes()).hexdigest()

def job(seed):
    """The digest, the threads this process has right after a threaded call (the
    OpenMP workers stay alive between calls), and what kernel_info says."""
    result = digest(seed)
    info = upsample.kernel_info()
    return {"digest": result, "os_threads": len(os.listdir("/proc/self/task")),
            "threads_usable": info["threads_usable"], "forked_child": info["forked_child"],
            "pid": os.getpid()}

def expected(seeds):
    """Digests computed here on one thread: results do not depend on the thread count."""
    return [digest(seed, num_threads=1) for seed in seeds]

def in_fork(work):
    """work() in a child made by os.fork; its result, passed back as JSON."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(read)
            os.write(write, json.dumps(work()).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = json.loads(pipe.read())
    assert os.waitpid(pid, 0)[1] == 0
    return result

def report(children, seeds, **more):
    print(json.dumps(dict(children=children, expected=expected(seeds), parent_pid=os.getpid(),
                          **more)))
'''


def run_scenario(tmp_path, body, timeout=TIMEOUT, env=None, first_imports=""):
    """Run JOB + ``body`` as a script in a fresh process; return its last stdout line as JSON.

    ``first_imports``: lines to run before JOB's own imports.
    A scenario that does not finish in ``timeout`` seconds is killed with all
    its children (its own process group) and fails the test.
    """
    script = tmp_path / "scenario.py"
    script.write_text(first_imports + JOB + textwrap.dedent(body))
    # In an empty directory, so that the package under test is the installed one.
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the scenario hung (killed after {timeout} s)\nstdout:\n{stdout}\n"
                    f"stderr:\n{stderr}")
    assert proc.returncode == 0, f"stdout:\n{stdout}\nstderr:\n{stderr}"
    return json.loads(stdout.strip().splitlines()[-1])


INFO = upsample.kernel_info()
THREADS_IN_CHILDREN = INFO["fork_rule"] == "threads"
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def check_children(report, forked):
    """Every child got the parent's digests, and used threads where the rule allows."""
    assert [child["digest"] for child in report["children"]] == report["expected"]
    for child in report["children"]:
        assert child["pid"] != report["parent_pid"]
        assert child["forked_child"] is forked
        assert child["threads_usable"] is True
        if THREADS_IN_CHILDREN:
            assert child["os_threads"] >= 2, child  # a team of two was started


def test_the_fork_rule_is_reported():
    assert INFO["fork_rule"] in ("threads", "one thread after fork", "serial")
    assert INFO["fork_rule"] == ("serial" if not INFO["openmp"] else INFO["fork_rule"])
    assert INFO["forked_child"] is False
    assert INFO["threads_usable"] is True
    if INFO["openmp"] and sys.platform.startswith("linux"):
        # The runtime the kernels are bound to, found where it was loaded from.
        assert "gomp" in os.path.basename(INFO["openmp_runtime"]) or "omp" in INFO["openmp_runtime"]
        # Every libgomp since GCC 9 (2019) can hand its workers back.
        assert INFO["fork_rule"] == "threads"


POOLS = {
    "Pool": "with context.Pool(2) as pool:\n    children = pool.map(job, range(4))",
    "ProcessPoolExecutor": "with ProcessPoolExecutor(2, mp_context=context) as pool:\n"
                           "    children = list(pool.map(job, range(4)))",
}


@pytest.mark.parametrize("pool", sorted(POOLS))
@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_a_process_pool_of_each_start_method_after_a_threaded_call(tmp_path, method, pool):
    """The issue's reproducer: the parent resamples on threads, then a pool maps the job."""
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    code = textwrap.indent(POOLS[pool], " " * 12)
    result = run_scenario(tmp_path, f'''
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        if __name__ == "__main__":
            assert job(99)["threads_usable"]
            context = mp.get_context({method!r})
{code}
            report(children, range(4))
    ''')
    check_children(result, forked=method == "fork")


@needs_fork
def test_a_child_forked_after_threaded_calls_uses_threads_again(tmp_path):
    """os.fork after threaded calls; the child calls twice, then forks a grandchild."""
    result = run_scenario(tmp_path, '''
        def calls_then_forks(seed, depth):
            results = [job(seed), job(seed + 1)]
            if depth > 1:
                results += in_fork(lambda: calls_then_forks(seed + 2, depth - 1))
            return results

        job(99)
        job(98)
        report(in_fork(lambda: calls_then_forks(0, 2)), range(4))
    ''')
    check_children(result, forked=True)


@needs_fork
def test_forks_while_another_thread_is_inside_a_call(tmp_path):
    """A thread resamples without pause while the main thread forks 12 times; every
    child, forked at some point of those calls, runs threaded calls of its own."""
    result = run_scenario(tmp_path, '''
        job(99)  # the forking thread has a team of its own too
        big = np.random.default_rng(7).random((1, 700, 900, 3), dtype=np.float32)
        reference = upsample.upsample(big, 2, mode="cubic", num_threads=1)
        stop = threading.Event()
        busy = {"calls": 0, "wrong": 0, "inside": False, "forks_inside": 0}

        def keep_resampling():
            while not stop.is_set():
                busy["inside"] = True
                out = upsample.upsample(big, 2, mode="cubic", num_threads=2)
                busy["inside"] = False
                busy["calls"] += 1
                if busy["calls"] % 5 == 0:  # checked now and then, to spend little time outside
                    busy["wrong"] += not np.array_equal(out, reference)

        def count_forks_inside():
            busy["forks_inside"] += busy["inside"]

        os.register_at_fork(before=count_forks_inside)
        worker = threading.Thread(target=keep_resampling)
        worker.start()
        children = []
        try:
            for k in range(12):
                time.sleep(0.013 * k)  # land at different points of the calls
                children.append(in_fork(lambda: job(k % 4)))
        finally:
            stop.set()
            worker.join()
        report(children, [k % 4 for k in range(12)], busy=busy)
    ''')
    check_children(result, forked=True)
    busy = result["busy"]
    assert busy["calls"] >= 5 and busy["wrong"] == 0, busy
    # The other thread spends most of its time inside its calls (in the kernels, without
    # the GIL), so most forks land there (8-10 of 12 in four runs on 2 busy cores).
    assert busy["forks_inside"] >= 4, busy
    print(busy)


@needs_fork
@pytest.mark.parametrize("lock", ["plans", "tables", "scratch registry"])
def test_a_fork_while_another_thread_holds_a_cache_lock(tmp_path, lock):
    """The fork waits for the lock; the child finds it free and its cache consistent.

    Before the locks were taken around forks, the child's copy stayed locked and
    its first call that needed it hung.
    """
    holder = {
        "plans": "upsample._api._PLANS_LOCK",
        "tables": "upsample._axis_table.TABLES._lock",
        "scratch registry": "upsample._threads._EVERY_SCRATCH_LOCK",
    }[lock]
    result = run_scenario(tmp_path, f'''
        import upsample._api, upsample._axis_table, upsample._threads
        lock = {holder}
        held = threading.Event()

        def hold():
            with lock:
                held.set()
                time.sleep(0.5)

        def in_child():
            # New arguments, so new tables and a new plan; a new thread, for new scratch.
            results = [job(0)]
            worker = threading.Thread(target=lambda: results.append(job(1)))
            worker.start()
            worker.join()
            return results

        threading.Thread(target=hold).start()
        held.wait()
        # The fork waits until the other thread lets go of the lock.
        report(in_fork(in_child), range(2))
    ''')
    check_children(result, forked=True)


@needs_fork
@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.machine() != "x86_64"
                    or not INFO["openmp"],
                    reason="needs x86-64 Linux's fork system call and an OpenMP build")
def test_a_fork_that_bypasses_the_handlers_runs_on_one_thread(tmp_path):
    """Run-time detection: a child made by the raw fork system call (no fork handlers,
    so the team was not handed back) runs its calls on one thread, with the same bits,
    instead of waiting for workers that do not exist."""
    result = run_scenario(tmp_path, '''
        import ctypes
        job(99)  # the parent's team of two exists now
        libc = ctypes.PyDLL(None)  # keeps the GIL across the call
        libc.syscall.restype = ctypes.c_long
        read, write = os.pipe()
        pid = libc.syscall(57)  # SYS_fork on x86-64
        if pid == 0:
            os.close(read)
            result = job(0)
            os.write(write, json.dumps(result).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            child = json.loads(pipe.read())
        os.waitpid(pid, 0)
        print(json.dumps({"child": child, "expected": expected([0])}))
    ''')
    child = result["child"]
    assert child["digest"] == result["expected"][0]
    assert child["forked_child"] is True
    assert child["threads_usable"] is False
    assert child["os_threads"] == 1


needs_torch = pytest.mark.skipif(
    __import__("importlib").util.find_spec("torch") is None,
    reason="PyTorch is not installed (pip install torch==2.13.0; CI installs it)",
)


@needs_fork
@needs_torch
def test_a_torch_dataloader_with_two_workers_each_on_two_threads(tmp_path):
    """A real DataLoader (num_workers=2, forked workers) whose dataset resamples with
    num_threads=2, after the parent has resampled on threads."""
    result = run_scenario(tmp_path, '''
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Resampled(Dataset):
            def __len__(self):
                return 6

            def __getitem__(self, index):
                return json.dumps(job(index % 4))

        if __name__ == "__main__":
            job(99)
            loader = DataLoader(Resampled(), batch_size=None, num_workers=2)
            children = [json.loads(item) for item in loader]
            report(children, [k % 4 for k in range(6)],
                   method=torch.multiprocessing.get_start_method())
    ''')
    check_children(result, forked=result["method"] == "fork")
    assert len({child["pid"] for child in result["children"]}) == 2


@needs_fork
@needs_torch
@pytest.mark.parametrize("first", ["torch", "upsample"])
def test_torch_openmp_runtime_beside_ours_with_threads_and_forks(tmp_path, first):
    """PyTorch's libgomp and the one upsample is bound to, in one process, both on two
    threads, at the same time in two Python threads, then in a forked child (PyTorch on
    one thread there, as its DataLoader sets it; upsample on two).

    Which copies end up in use depends on the order of the imports: PyTorch loads its
    libgomp into the global namespace, so an upsample imported after it binds to that
    copy; imported first, a wheel with its own copy keeps its own.
    """
    imports = "import torch\nimport upsample\n" if first == "torch" else \
        "import upsample\nimport torch\n"
    result = run_scenario(tmp_path, '''
        import torch.nn.functional as F

        def torch_digest():
            t = torch.from_numpy(image(5)).permute(0, 3, 1, 2).contiguous()
            out = F.interpolate(t, scale_factor=2, mode="bicubic", align_corners=False)
            return hashlib.sha256(out.numpy().tobytes()).hexdigest()

        def runtimes():
            with open("/proc/self/maps") as maps:
                return sorted({line.split()[-1] for line in maps if "gomp" in line})

        torch.set_num_threads(2)
        torch_before = torch_digest()
        parent = job(0)
        both = {}
        threads = [threading.Thread(target=lambda: both.update(torch=torch_digest())),
                   threading.Thread(target=lambda: both.update(ours=job(1)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        def in_child():
            torch.set_num_threads(1)
            return {"torch": torch_digest(), "ours": [job(2), job(3)]}

        child = in_fork(in_child)
        package = os.path.dirname(os.path.dirname(upsample.__file__))
        report([parent, both["ours"]] + child["ours"], range(4),
               torch=[torch_before, both["torch"], child["torch"]], runtimes=runtimes(),
               ours=os.path.realpath(upsample.kernel_info()["openmp_runtime"]),
               vendored=os.path.isdir(os.path.join(package, "upsample.libs")))
    ''', first_imports=imports)
    children = result["children"]
    assert [child["digest"] for child in children] == result["expected"]
    assert len(set(result["torch"])) == 1, result["torch"]
    for child in children[2:]:
        assert child["forked_child"] is True and child["threads_usable"] is True
        if THREADS_IN_CHILDREN:
            assert child["os_threads"] >= 2, child
    print(result["runtimes"], result["ours"])
    if result["vendored"]:
        # A repaired wheel (auditwheel): its own copy, renamed, is loaded beside PyTorch's.
        assert len(result["runtimes"]) == 2, result["runtimes"]
        ours_is_vendored = "upsample.libs" in result["ours"]
        assert ours_is_vendored is (first == "upsample"), result["ours"]
