# Nearest: a pure gather of whole elements, any dtype, any source strides
# (gather_nearest, also linear where every output sits on a source sample),
# and very long rows at an integral scale repeated without a column table
# (repeat_nearest).

from upsample_c._headers cimport ups_store_fence, ups_stream_copy

cdef extern from "ups_gather.h":
    void ups_gather_stepped(char* dst, const char* src, Py_ssize_t n, Py_ssize_t elem_bytes,
                            Py_ssize_t step) noexcept nogil
    void ups_gather_permuted(char* dst, const char* src_row, const Py_ssize_t* offsets,
                             Py_ssize_t n, Py_ssize_t elem_bytes) noexcept nogil


# ---------------------------------------------------------------------------
# Gathers of whole elements
# ---------------------------------------------------------------------------

cdef void _gather_elements(char* dst, const char* src_row, const Py_ssize_t* offsets,
                           Py_ssize_t n, Py_ssize_t elem_bytes) noexcept nogil:
    """dst[j] = src_row[offsets[j]] for elements of elem_bytes contiguous bytes.

    Common sizes get a memcpy of constant length, which compiles to plain
    (unaligned-safe) loads and stores.
    """
    cdef Py_ssize_t j, last
    if elem_bytes == 1:
        for j in range(n):
            dst[j] = src_row[offsets[j]]
    elif elem_bytes == 2:
        for j in range(n):
            memcpy(dst + 2 * j, src_row + offsets[j], 2)
    elif elem_bytes == 3:
        # uint8 RGB: without its own case, each pixel was a library call.
        for j in range(n):
            memcpy(dst + 3 * j, src_row + offsets[j], 3)
    elif elem_bytes == 4 or elem_bytes == 8:
        ups_gather_permuted(dst, src_row, offsets, n, elem_bytes)
    elif elem_bytes == 6:
        for j in range(n):
            memcpy(dst + 6 * j, src_row + offsets[j], 6)
    elif elem_bytes == 12:
        # float32 RGB: one 16-byte move where it is safe, whose last 4 bytes the next
        # pixel overwrites. The source bytes past the pixel are inside the row when a
        # later pixel of the run starts at least 4 bytes further on.
        last = offsets[n - 1] if n > 0 else 0
        for j in range(n - 1):
            if offsets[j] + 4 <= last:
                memcpy(dst + 12 * j, src_row + offsets[j], 16)
            else:
                memcpy(dst + 12 * j, src_row + offsets[j], 12)
        if n > 0:
            memcpy(dst + 12 * (n - 1), src_row + last, 12)
    elif elem_bytes == 16:
        for j in range(n):
            memcpy(dst + 16 * j, src_row + offsets[j], 16)
    elif elem_bytes == 24:
        for j in range(n):
            memcpy(dst + 24 * j, src_row + offsets[j], 24)
    else:
        for j in range(n):
            memcpy(dst + elem_bytes * j, src_row + offsets[j], elem_bytes)


ctypedef unsigned int u32_t
ctypedef unsigned long long u64_t


cdef inline bint _double_elements(char* dst, const char* src, Py_ssize_t n_src,
                                  Py_ssize_t elem_bytes) noexcept nogil:
    """Write each of n_src contiguous elements of src twice; False if not handled here.

    A scale-2 row of pixels is a plain repetition: with the element moved as
    whole machine words the loop vectorises (duplicating lanes), where the
    general gather copies one element per table entry. Only aligned data of
    common element sizes takes this path.
    """
    cdef Py_ssize_t i
    cdef size_t addresses = <size_t> dst | <size_t> src
    cdef const u32_t* s4 = <const u32_t*> src
    cdef u32_t* d4 = <u32_t*> dst
    cdef const u64_t* s8 = <const u64_t*> src
    cdef u64_t* d8 = <u64_t*> dst
    if elem_bytes == 4 and addresses % 4 == 0:
        for i in range(n_src):
            d4[2 * i] = s4[i]
            d4[2 * i + 1] = s4[i]
    elif elem_bytes == 3:
        for i in range(n_src):
            memcpy(dst + 6 * i, src + 3 * i, 3)
            memcpy(dst + 6 * i + 3, src + 3 * i, 3)
    elif elem_bytes == 12:
        for i in range(n_src):
            memcpy(dst + 24 * i, src + 12 * i, 12)
            memcpy(dst + 24 * i + 12, src + 12 * i, 12)
    elif elem_bytes == 8 and addresses % 8 == 0:
        for i in range(n_src):
            d8[2 * i] = s8[i]
            d8[2 * i + 1] = s8[i]
    elif elem_bytes == 16 and addresses % 8 == 0:
        for i in range(n_src):
            d8[4 * i] = s8[2 * i]
            d8[4 * i + 1] = s8[2 * i + 1]
            d8[4 * i + 2] = s8[2 * i]
            d8[4 * i + 3] = s8[2 * i + 1]
    else:
        return False
    return True


cdef inline void _gather_strided_items(char* dst, const char* src_row,
                                       const Py_ssize_t* offsets, Py_ssize_t n,
                                       Py_ssize_t n_items, Py_ssize_t itemsize,
                                       Py_ssize_t item_stride) noexcept nogil:
    """Like _gather_elements, when the items of one element are not adjacent."""
    cdef Py_ssize_t j, c
    for j in range(n):
        for c in range(n_items):
            memcpy(dst, src_row + offsets[j] + c * item_stride, itemsize)
            dst += itemsize


cdef inline Py_ssize_t _gcd(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t t
    while b:
        t = a % b
        a = b
        b = t
    return a


cdef inline Py_ssize_t _start_rows(Py_ssize_t row, Py_ssize_t* index,
                                   const Py_ssize_t* offsets, const Py_ssize_t* counts,
                                   const Py_ssize_t* starts, Py_ssize_t n_row_axes) noexcept nogil:
    """_row_base of output row `row`, with its index along each row axis written to
    `index` for _next_row."""
    cdef Py_ssize_t rem = row, base = 0, a = n_row_axes - 1
    while a >= 0:
        index[a] = rem % counts[a]
        rem = rem // counts[a]
        base = base + offsets[starts[a] + index[a]]
        a -= 1
    return base


cdef inline Py_ssize_t _row_base(Py_ssize_t row, const Py_ssize_t* offsets,
                                 const Py_ssize_t* counts, const Py_ssize_t* starts,
                                 Py_ssize_t n_row_axes) noexcept nogil:
    """Byte offset of the source row of output row `row` (all axes but the last)."""
    cdef Py_ssize_t index[MAX_AXES]
    return _start_rows(row, index, offsets, counts, starts, n_row_axes)


cdef inline Py_ssize_t _next_row(Py_ssize_t base, Py_ssize_t* index,
                                 const Py_ssize_t* offsets, const Py_ssize_t* counts,
                                 const Py_ssize_t* starts, Py_ssize_t n_row_axes) noexcept nogil:
    """_row_base of the output row after the one whose base is `base` and whose
    per-axis indices are `index` (moved on to the next row): the last row axis steps,
    carrying into the axes before it, without _row_base's divisions per axis. Only
    for a row that exists (the caller stays below the last row)."""
    cdef Py_ssize_t a = n_row_axes - 1
    while a >= 0:
        base = base - offsets[starts[a] + index[a]]
        index[a] += 1
        if index[a] < counts[a]:
            return base + offsets[starts[a] + index[a]]
        index[a] = 0
        base = base + offsets[starts[a]]
        a -= 1
    return base


cdef inline void _gather_run(char* out, const char* src_row, const Py_ssize_t* col_offsets,
                             Py_ssize_t start, Py_ssize_t count, Py_ssize_t n_items,
                             Py_ssize_t itemsize, Py_ssize_t item_stride,
                             bint col_double, Py_ssize_t col_stride) noexcept nogil:
    """Output columns start..start+count-1 of one row; out points at column start.

    col_double: the columns repeat contiguous source pixels twice each
    (scale 2 on the last axis), so the even-aligned middle of the run can be
    copied as a repetition. col_stride > 0: consecutive columns read source
    pixels that many bytes apart (an integral downscale).
    """
    cdef Py_ssize_t elem_bytes = n_items * itemsize
    cdef Py_ssize_t head = start % 2
    cdef Py_ssize_t pairs
    if item_stride != itemsize:
        _gather_strided_items(out, src_row, col_offsets + start, count, n_items, itemsize,
                              item_stride)
        return
    if col_stride > 0:
        if count > 0:
            ups_gather_stepped(out, src_row + col_offsets[start], count, elem_bytes, col_stride)
        return
    if col_double and count - head >= 2:
        pairs = (count - head) // 2
        if _double_elements(out + head * elem_bytes, src_row + col_offsets[start + head],
                            pairs, elem_bytes):
            _gather_elements(out, src_row, col_offsets + start, head, elem_bytes)
            _gather_elements(out + (head + 2 * pairs) * elem_bytes, src_row,
                             col_offsets + start + head + 2 * pairs,
                             count - head - 2 * pairs, elem_bytes)
            return
    _gather_elements(out, src_row, col_offsets + start, count, elem_bytes)


cdef void _gather_chunk(const char* src, char* dst, Py_ssize_t first, Py_ssize_t last,
                        const Py_ssize_t* offsets, const Py_ssize_t* counts,
                        const Py_ssize_t* starts, Py_ssize_t n_row_axes,
                        Py_ssize_t n_blocks, Py_ssize_t block, Py_ssize_t n_items,
                        Py_ssize_t itemsize, Py_ssize_t item_stride, bint col_double,
                        Py_ssize_t col_stride, bint stream) noexcept nogil:
    """Work items first..last-1 of a nearest gather; item = (output row, block of pixels).

    Consecutive output rows with the same source row (every repeated row of an
    upscale) are gathered once and written as many times. With `stream`, the
    gathered pixels are staged in L1 and written with streaming stores.
    """
    cdef char stage[STAGE_BYTES]
    cdef Py_ssize_t n_cols = counts[n_row_axes]
    cdef Py_ssize_t elem_bytes = n_items * itemsize
    cdef Py_ssize_t row_bytes = n_cols * elem_bytes
    cdef const Py_ssize_t* col_offsets = offsets + starts[n_row_axes]
    # Stage a whole number of 64-byte lines where the element size allows.
    cdef Py_ssize_t line_elems = 64 // _gcd(elem_bytes, 64)
    cdef Py_ssize_t per_stage = STAGE_BYTES // elem_bytes
    if per_stage >= line_elems:
        per_stage -= per_stage % line_elems
    # A repeated row is copied from the one above only when both rows start at the same
    # offset within 32 bytes. Otherwise the copy's loads overlap, in their low address
    # bits, stores still waiting for their cache lines (the output is mostly not
    # cached), and stall until those land: gathering the row again is faster then.
    cdef bint copy_rows = row_bytes % 32 == 0
    cdef Py_ssize_t item, row, b, base, start, count, copies, copy, done, length
    # The source row of output row `at` is walked row by row from the first one
    # (_next_row), not worked out for each row with divisions (_row_base): under
    # perf, a 64x64 x0.25 gather spent most of this function's cycles in them.
    cdef Py_ssize_t index[MAX_AXES]
    cdef Py_ssize_t at = first // n_blocks
    cdef Py_ssize_t at_base = _start_rows(at, index, offsets, counts, starts, n_row_axes)
    cdef char* out
    item = first
    while item < last:
        row = item // n_blocks
        b = item - row * n_blocks
        while at < row:
            at_base = _next_row(at_base, index, offsets, counts, starts, n_row_axes)
            at += 1
        base = at_base
        start = b * block
        count = block if start + block <= n_cols else n_cols - start
        copies = 1
        if n_blocks == 1:
            # Rows row + 1, ... while they read the same source row; `at` stops at
            # the first that does not (the next item's row) or at the chunk's last.
            while item + copies < last:
                at_base = _next_row(at_base, index, offsets, counts, starts, n_row_axes)
                at += 1
                if at_base != base:
                    break
                copies += 1
        out = dst + row * row_bytes + start * elem_bytes
        if stream and per_stage > 0:
            done = 0
            while done < count:
                length = per_stage if done + per_stage <= count else count - done
                _gather_run(stage, src + base, col_offsets, start + done, length, n_items,
                            itemsize, item_stride, col_double, col_stride)
                for copy in range(copies):
                    ups_stream_copy(out + copy * row_bytes + done * elem_bytes, stage,
                                    length * elem_bytes)
                done += length
        else:
            _gather_run(out, src + base, col_offsets, start, count, n_items, itemsize,
                        item_stride, col_double, col_stride)
            for copy in range(1, copies):
                if copy_rows:
                    memcpy(out + copy * row_bytes, out, count * elem_bytes)
                else:
                    _gather_run(out + copy * row_bytes, src + base, col_offsets, start, count,
                                n_items, itemsize, item_stride, col_double, col_stride)
        item += copies
    if stream:
        ups_store_fence()


cdef Py_ssize_t _nearest_tables(cnp.ndarray counts, cnp.ndarray offsets, bint last_tabled,
                             Py_ssize_t* starts, const Py_ssize_t** counts_ptr,
                             const Py_ssize_t** offsets_ptr, str name) except -1:
    """Check the per-axis lengths and offset tables of a nearest kernel; the number of
    output rows (every axis but the last).

    ``counts`` holds one length per output axis, batch first; ``offsets`` the
    axes' tables one after another, the last axis' only if ``last_tabled``.
    Fills ``starts`` (where each axis' table begins) and the two pointers.
    """
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t a, n_rows = 1, total = 0
    if n_axes < 1 or n_axes > MAX_AXES:
        raise ValueError(f"{name} needs 1 to {MAX_AXES} axes, got {n_axes}")
    counts_ptr[0] = <const Py_ssize_t*>_items(counts, cnp.NPY_INTP, n_axes, False, "counts")
    for a in range(n_axes):
        starts[a] = total
        if a < n_axes - 1:
            total += counts_ptr[0][a]
            n_rows *= counts_ptr[0][a]
        elif last_tabled:
            total += counts_ptr[0][a]
    if cnp.PyArray_SIZE(offsets) != total:
        raise ValueError("offset tables do not match the axis lengths")
    offsets_ptr[0] = <const Py_ssize_t*>_items(offsets, cnp.NPY_INTP, total, False, "offsets")
    return n_rows


def gather_nearest(cnp.ndarray src not None, cnp.ndarray dst not None,
                   cnp.ndarray offsets not None, cnp.ndarray counts not None, Py_ssize_t n_items,
                   Py_ssize_t itemsize, Py_ssize_t item_stride, bint col_double,
                   Py_ssize_t block, bint stream, int num_threads, Py_ssize_t col_stride=0):
    """Nearest-neighbour gather over every axis at once, straight from strided memory.

    The source is the array `src`, read through its data pointer and the
    offsets alone (any strides; Python checked them). Axis a of the output (batch,
    then spatial axes) has counts[a] positions; the byte offset of position i
    along axis a is offsets[starts[a] + i], with the per-axis tables stored one
    after another in `offsets`. The last axis' tables give offsets of elements
    of `n_items` items of `itemsize` bytes, `item_stride` bytes apart (the
    channels). `dst` is the C-contiguous output (any dtype; its bytes are
    written). col_double promises that output column j reads source pixel
    j // 2 and that source pixels are contiguous (scale 2 on the last axis).
    col_stride > 0 promises that the last axis' offsets are col_stride bytes
    apart, one after the other.
    """
    _check_threads(num_threads)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    cdef Py_ssize_t starts[MAX_AXES]
    cdef const Py_ssize_t* counts_ptr
    cdef const Py_ssize_t* offsets_ptr
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t n_rows = _nearest_tables(counts, offsets, True, starts, &counts_ptr,
                                             &offsets_ptr, "gather_nearest")
    cdef Py_ssize_t n_cols = counts_ptr[n_axes - 1]
    cdef char* dst_ptr = <char*>_span(dst, n_rows * n_cols * n_items * itemsize, True, "dst")
    cdef Py_ssize_t n_blocks = (n_cols + block - 1) // block
    cdef const Py_ssize_t* col_offsets = offsets_ptr + starts[n_axes - 1]
    cdef Py_ssize_t i
    if col_stride < 0:
        raise ValueError(f"col_stride must be 0 or positive, got {col_stride}")
    if col_stride:
        # The stepped copies read from the first column's offset on: the table
        # must say the same.
        for i in range(n_cols - 1):
            if col_offsets[i + 1] - col_offsets[i] != col_stride:
                raise ValueError(f"gather_nearest: the last axis' offsets are not "
                                 f"{col_stride} bytes apart")
    cdef Py_ssize_t n_items_total = n_rows * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items_total, num_threads)
    cdef Py_ssize_t chunk
    cdef const char* src_ptr = <const char*> cnp.PyArray_DATA(src)
    if n_chunks == 1:
        with nogil:
            _gather_chunk(src_ptr, dst_ptr, 0, n_items_total, offsets_ptr, counts_ptr, starts,
                          n_axes - 1, n_blocks, block, n_items, itemsize, item_stride,
                          col_double, col_stride, stream)
        return
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _gather_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items_total),
                      _chunk_start(chunk + 1, n_chunks, n_items_total), offsets_ptr,
                      counts_ptr, starts, n_axes - 1, n_blocks, block, n_items, itemsize,
                      item_stride, col_double, col_stride, stream)


# ---------------------------------------------------------------------------
# Nearest along very long rows at an integral scale: no per-column table
# ---------------------------------------------------------------------------

cdef inline void _repeat_groups(char* out, const char* src, Py_ssize_t n, Py_ssize_t elem_bytes,
                                Py_ssize_t factor) noexcept nogil:
    """Each of n contiguous source pixels written factor times in a row."""
    cdef Py_ssize_t i, r
    cdef u32_t v4
    cdef u64_t v8
    if factor == 2 and _double_elements(out, src, n, elem_bytes):
        return
    if elem_bytes == 4:
        for i in range(n):
            memcpy(&v4, src + 4 * i, 4)
            for r in range(factor):
                memcpy(out + 4 * (i * factor + r), &v4, 4)
    elif elem_bytes == 8:
        for i in range(n):
            memcpy(&v8, src + 8 * i, 8)
            for r in range(factor):
                memcpy(out + 8 * (i * factor + r), &v8, 8)
    elif elem_bytes == 2:
        for i in range(n):
            for r in range(factor):
                memcpy(out + 2 * (i * factor + r), src + 2 * i, 2)
    elif elem_bytes == 1:
        for i in range(n):
            for r in range(factor):
                out[i * factor + r] = src[i]
    else:
        for i in range(n):
            for r in range(factor):
                memcpy(out + elem_bytes * (i * factor + r), src + elem_bytes * i, elem_bytes)


cdef void _repeat_columns(char* out, const char* src_row, Py_ssize_t start, Py_ssize_t count,
                          Py_ssize_t elem_bytes, Py_ssize_t factor) noexcept nogil:
    """Columns start..start+count-1 where column j is contiguous source pixel j // factor:
    the rest of a partly written pixel's group, whole groups, then a part of one."""
    cdef Py_ssize_t pixel = start // factor
    cdef Py_ssize_t step = start - pixel * factor
    cdef const char* src = src_row + pixel * elem_bytes
    cdef Py_ssize_t groups, r
    while count > 0 and step != 0:
        memcpy(out, src, elem_bytes)
        out += elem_bytes
        count -= 1
        step += 1
        if step == factor:
            step = 0
            src += elem_bytes
    groups = count // factor
    _repeat_groups(out, src, groups, elem_bytes, factor)
    out += groups * factor * elem_bytes
    src += groups * elem_bytes
    for r in range(count - groups * factor):
        memcpy(out + r * elem_bytes, src, elem_bytes)


cdef void _repeat_chunk(const char* src, char* dst, Py_ssize_t first, Py_ssize_t last,
                        const Py_ssize_t* offsets, const Py_ssize_t* counts,
                        const Py_ssize_t* starts, Py_ssize_t n_row_axes, Py_ssize_t n_blocks,
                        Py_ssize_t block, Py_ssize_t elem_bytes,
                        Py_ssize_t factor) noexcept nogil:
    """Work items first..last-1 of repeat_nearest; item = (output row, block of columns)."""
    cdef Py_ssize_t n_cols = counts[n_row_axes]
    cdef Py_ssize_t row_bytes = n_cols * elem_bytes
    cdef Py_ssize_t item, row, b, start, count
    for item in range(first, last):
        row = item // n_blocks
        b = item - row * n_blocks
        start = b * block
        count = block if start + block <= n_cols else n_cols - start
        _repeat_columns(dst + row * row_bytes + start * elem_bytes,
                        src + _row_base(row, offsets, counts, starts, n_row_axes), start, count,
                        elem_bytes, factor)


def repeat_nearest(cnp.ndarray src not None, cnp.ndarray dst not None,
                   cnp.ndarray offsets not None, cnp.ndarray counts not None,
                   Py_ssize_t elem_bytes, Py_ssize_t factor, Py_ssize_t block, int num_threads):
    """Nearest at an integral scale `factor` on the last axis of contiguous pixels.

    As gather_nearest, but the last axis has no table in `offsets`: output
    column j is source pixel j // factor of its row, worked out as the copy
    runs. For very long rows (signals), whose table would hold one entry per
    output sample and take longer to build than the copy takes to run.
    `counts` still gives every axis' length; `offsets` the tables of the
    others (batch first), one after another.
    """
    _check_threads(num_threads)
    if block < 1 or factor < 1 or elem_bytes < 1:
        raise ValueError("repeat_nearest needs block, factor and elem_bytes of at least 1")
    cdef Py_ssize_t starts[MAX_AXES]
    cdef const Py_ssize_t* counts_ptr
    cdef const Py_ssize_t* offsets_ptr
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t n_rows = _nearest_tables(counts, offsets, False, starts, &counts_ptr,
                                             &offsets_ptr, "repeat_nearest")
    cdef Py_ssize_t n_cols = counts_ptr[n_axes - 1]
    cdef char* dst_ptr = <char*>_span(dst, n_rows * n_cols * elem_bytes, True, "dst")
    cdef Py_ssize_t n_blocks = (n_cols + block - 1) // block
    cdef Py_ssize_t n_items_total = n_rows * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items_total, num_threads)
    cdef Py_ssize_t chunk
    cdef const char* src_ptr = <const char*> cnp.PyArray_DATA(src)
    if n_chunks == 1:
        with nogil:
            _repeat_chunk(src_ptr, dst_ptr, 0, n_items_total, offsets_ptr, counts_ptr, starts,
                          n_axes - 1, n_blocks, block, elem_bytes, factor)
        return
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _repeat_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items_total),
                      _chunk_start(chunk + 1, n_chunks, n_items_total), offsets_ptr,
                      counts_ptr, starts, n_axes - 1, n_blocks, block, elem_bytes, factor)
