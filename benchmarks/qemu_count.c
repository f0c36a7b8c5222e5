/*
 * A QEMU TCG plugin that counts the guest instructions executed inside given
 * address ranges, while the guest says so: the arm64 side of instructions.py.
 *
 * callgrind (what instructions.py uses on x86) does not run under qemu-user,
 * and QEMU's own instruction-count plugin counts the whole process (Python's
 * start-up is a hundred times one small kernel call). So the guest, which
 * knows where its libraries are mapped (/proc/self/maps), tells this plugin
 * through a system call number that no kernel has (UPS_MAGIC_SYSCALL, answered
 * with ENOSYS, so the guest is otherwise unaffected):
 *
 *   syscall(UPS_MAGIC_SYSCALL, UPS_OWN, start, end)     count code in [start, end)
 *   syscall(UPS_MAGIC_SYSCALL, UPS_CALLEE, start, end)  count code in [start, end)
 *                                                        only when reached from an
 *                                                        "own" range (libc's memcpy
 *                                                        called by a kernel, not by
 *                                                        Python)
 *   syscall(UPS_MAGIC_SYSCALL, UPS_START, 0, 0)         counting on
 *   syscall(UPS_MAGIC_SYSCALL, UPS_STOP, 0, 0)          counting off
 *
 * That is what `callgrind --toggle-collect=<the kernels' entry points>` counts
 * on x86, less the Python C-API calls of the entry points' argument parsing (a
 * few hundred instructions per pass, see instructions.py's docstring).
 *
 * At exit the plugin writes "instructions N" to the file named by its
 * argument outfile=PATH (to standard error without one). Ranges are looked up
 * when a block executes, not when it is translated, because the blocks of a
 * library's initialisation are translated before the guest names its ranges.
 *
 * Build against qemu-plugin.h of the QEMU that will load it (instructions.py
 * takes it from Debian's source package of the installed qemu-user):
 *   gcc -O2 -shared -fPIC -I<dir of qemu-plugin.h> qemu_count.c -o qemu_count.so
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Must match UPS_MAGIC_SYSCALL in instructions.py: far above any Linux
 * system call number of aarch64 or x86_64. */
#define UPS_MAGIC_SYSCALL 0x7570
enum { UPS_OWN = 1, UPS_CALLEE = 2, UPS_START = 3, UPS_STOP = 4 };

#define MAX_RANGES 32
/* Guest threads are host threads under qemu-user; a count per vCPU index
 * keeps them from racing on one counter (the counted calls use 1 thread). */
#define MAX_VCPUS 256

struct range {
    uint64_t start, end;
    int kind;
};

static struct range ranges[MAX_RANGES];
static atomic_int n_ranges;
static atomic_bool counting;
static uint64_t counts[MAX_VCPUS];
/* Whether the last block each vCPU ran outside the callee ranges was in an
 * own range: decides whether a callee block counts. */
static bool came_from_own[MAX_VCPUS];
static const char *outfile;

struct block {
    uint64_t vaddr;
    uint64_t n_insns;
};

static int kind_of(uint64_t vaddr)
{
    int n = atomic_load(&n_ranges);
    for (int i = 0; i < n; i++) {
        if (vaddr >= ranges[i].start && vaddr < ranges[i].end) {
            return ranges[i].kind;
        }
    }
    return 0;
}

static void block_executed(unsigned int vcpu, void *userdata)
{
    const struct block *b = userdata;
    if (vcpu >= MAX_VCPUS || !atomic_load_explicit(&counting, memory_order_relaxed)) {
        return;
    }
    int kind = kind_of(b->vaddr);
    if (kind == UPS_CALLEE) {
        if (came_from_own[vcpu]) {
            counts[vcpu] += b->n_insns;
        }
        return;
    }
    came_from_own[vcpu] = kind == UPS_OWN;
    if (kind == UPS_OWN) {
        counts[vcpu] += b->n_insns;
    }
}

static void block_translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    /* One record per translation, kept for the process's life: a process
     * translates some hundred thousand blocks, a few MB of these. */
    struct block *b = malloc(sizeof *b);
    if (b == NULL) {
        abort();
    }
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->n_insns = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, block_executed, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void syscall_entered(qemu_plugin_id_t id, unsigned int vcpu, int64_t num,
                            uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
    if (num != UPS_MAGIC_SYSCALL) {
        return;
    }
    if (a1 == UPS_OWN || a1 == UPS_CALLEE) {
        int n = atomic_load(&n_ranges);
        if (n == MAX_RANGES || a2 >= a3) {
            fprintf(stderr, "qemu_count: range %d [%#" PRIx64 ", %#" PRIx64 ") refused\n",
                    (int)a1, a2, a3);
            abort();
        }
        ranges[n] = (struct range){a2, a3, (int)a1};
        atomic_store(&n_ranges, n + 1);
    } else if (a1 == UPS_START || a1 == UPS_STOP) {
        atomic_store(&counting, a1 == UPS_START);
    }
}

static void exited(qemu_plugin_id_t id, void *userdata)
{
    uint64_t total = 0;
    for (int i = 0; i < MAX_VCPUS; i++) {
        total += counts[i];
    }
    FILE *f = outfile ? fopen(outfile, "w") : stderr;
    if (f == NULL) {
        perror(outfile);
        return;
    }
    fprintf(f, "instructions %" PRIu64 "\n", total);
    if (f != stderr) {
        fclose(f);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "outfile=", 8) == 0) {
            outfile = argv[i] + 8;
        } else {
            fprintf(stderr, "qemu_count: unknown argument %s\n", argv[i]);
            return 1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, block_translated);
    qemu_plugin_register_vcpu_syscall_cb(id, syscall_entered);
    qemu_plugin_register_atexit_cb(id, exited, NULL);
    return 0;
}
