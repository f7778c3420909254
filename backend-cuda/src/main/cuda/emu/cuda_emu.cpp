// The block scheduler behind cuda_emu.h: fibres, barriers, warp collectives and their checks.
#include "cuda_emu.h"
#include "cuda_emu_launch.h"

#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace emu {

thread_local dim3 tl_blockIdx;
thread_local dim3 tl_blockDim;
thread_local dim3 tl_gridDim;
thread_local ThreadView* tl_current = nullptr;
thread_local unsigned char* tl_dynamic_shared = nullptr;

namespace {

constexpr std::size_t STACK_BYTES = 256 * 1024;
constexpr int MAX_THREADS = 1024;

enum State { RUNNABLE, AT_BARRIER, AT_WARP, EXITED };

// Switching: a fibre is entered the first time through its ucontext (setcontext, which costs a system call
// for the signal mask) and afterwards only by _setjmp/_longjmp, which save and restore registers and the
// stack pointer and nothing else: no system call per switch. A fibre that has run its body parks at the end
// of its loop and runs the body again for the next block, so stacks and contexts are made once per thread,
// not per block and thread (docs/design.md §7).
struct Fiber {
    ThreadView view;
    ucontext_t context;
    jmp_buf env;
    bool started = false;
    void* stack = nullptr;
    State state = EXITED;
    int linear = 0;
    int site = 0;
    // Dependent phases this thread went through in the current block: barriers, warp collectives and
    // marked dependent steps (PARARNN_DEPENDENT_STEP).
    std::uint64_t events = 0;
    // A pending warp collective.
    int op = 0;
    unsigned mask = 0;
    std::uint64_t value = 0;
    int arg = 0;
    int width = 32;
    std::uint64_t result = 0;
};

// One scheduler per OS thread: a launch runs entirely on the thread that called it.
struct Scheduler {
    std::vector<Fiber> fibers;
    jmp_buf main;
    Fiber* running = nullptr;
    const Body* body = nullptr;
    std::string error;

    ~Scheduler() {
        for (Fiber& f : fibers) {
            if (f.stack != nullptr) {
                munmap(f.stack, STACK_BYTES);
            }
        }
    }

    void ensure(int n) {
        if ((int) fibers.size() >= n) {
            return;
        }
        fibers.resize(n);
        for (Fiber& f : fibers) {
            // Moved in memory: a ucontext points into itself, so every fibre starts afresh.
            f.started = false;
            if (f.stack == nullptr) {
                // Pages are committed only when touched, so a block's stacks cost what its threads use.
                f.stack = mmap(nullptr, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
                if (f.stack == MAP_FAILED) {
                    f.stack = nullptr;
                    throw std::string("cannot map a fibre stack");
                }
            }
        }
    }

    void fail(const std::string& why) {
        if (error.empty()) {
            error = why;
        }
    }

    std::string where(const Fiber& f) const {
        char buf[160];
        std::snprintf(buf, sizeof buf, "block (%u,%u,%u) thread (%u,%u,%u)", tl_blockIdx.x, tl_blockIdx.y, tl_blockIdx.z,
                      f.view.idx.x, f.view.idx.y, f.view.idx.z);
        return buf;
    }
};

thread_local Scheduler* tl_scheduler = nullptr;

// The distinct 32-byte sectors of global memory a launch read (or wrote): what a GPU's DRAM must move at
// least, whatever its caches keep. Address space in 1 MiB pages of 32,768 sector bits, made when touched.
struct SectorSet {
    static constexpr int PAGE_SHIFT = 20;
    static constexpr int SECTOR_SHIFT = 5;
    static constexpr std::size_t WORDS = (std::size_t{1} << (PAGE_SHIFT - SECTOR_SHIFT)) / 64;
    std::unordered_map<std::uintptr_t, std::vector<std::uint64_t>> pages;
    std::uintptr_t lastPage = ~std::uintptr_t{0};
    std::uint64_t* lastBits = nullptr;

    void clear() {
        pages.clear();
        lastPage = ~std::uintptr_t{0};
        lastBits = nullptr;
    }

    void note(const void* p, std::size_t bytes) {
        std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p);
        for (std::uintptr_t s = a >> SECTOR_SHIFT; s <= (a + bytes - 1) >> SECTOR_SHIFT; s++) {
            std::uintptr_t page = s >> (PAGE_SHIFT - SECTOR_SHIFT);
            if (page != lastPage) {
                std::vector<std::uint64_t>& bits = pages[page];
                if (bits.empty()) {
                    bits.assign(WORDS, 0);
                }
                lastPage = page;
                lastBits = bits.data();
            }
            std::size_t i = s & ((std::size_t{1} << (PAGE_SHIFT - SECTOR_SHIFT)) - 1);
            lastBits[i >> 6] |= std::uint64_t{1} << (i & 63);
        }
    }

    std::uint64_t bytes() const {
        std::uint64_t n = 0;
        for (const auto& kv : pages) {
            for (std::uint64_t w : kv.second) {
                n += (std::uint64_t) __builtin_popcountll(w);
            }
        }
        return n << SECTOR_SHIFT;
    }
};

thread_local SectorSet tl_read;
thread_local SectorSet tl_written;
thread_local Counts tl_counts;

Scheduler& scheduler() {
    if (tl_scheduler == nullptr) {
        tl_scheduler = new Scheduler();
    }
    return *tl_scheduler;
}

// A fibre's life: run the block's body, park, and run it again when resumed for the next block.
void entry() {
    for (;;) {
        Scheduler& s = scheduler();
        Fiber* me = s.running;
        (*s.body)();
        me->state = EXITED;
        if (_setjmp(me->env) == 0) {
            _longjmp(scheduler().main, 1);
        }
    }
}

// Back to the scheduler until it resumes this fibre.
void yield(Fiber& f) {
    if (_setjmp(f.env) == 0) {
        _longjmp(scheduler().main, 1);
    }
    tl_current = &f.view;
}

// Runs fibre f until it exits or waits; returns on the scheduler's stack.
__attribute__((noinline)) void resume(Scheduler& s, Fiber& f) {
    s.running = &f;
    tl_current = &f.view;
    if (_setjmp(s.main) == 0) {
        if (!f.started) {
            f.started = true;
            setcontext(&f.context);
        }
        _longjmp(f.env, 1);
    }
}

// The lanes of warp w: fibres [32w, min(32w + 32, n)).
void resolve_warp(Scheduler& s, int n, int w, bool& progress) {
    int base = 32 * w;
    int lanes = n - base < 32 ? n - base : 32;
    for (int l = 0; l < lanes; l++) {
        Fiber& f = s.fibers[base + l];
        if (f.state != AT_WARP) {
            continue;
        }
        unsigned mask = f.mask;
        if (lanes < 32 && (mask >> lanes) != 0) {
            s.fail(s.where(f) + ": warp collective mask 0x" + std::to_string(mask) + " names lanes this warp of "
                   + std::to_string(lanes) + " thread(s) does not have");
            return;
        }
        if ((mask & (1u << l)) == 0) {
            s.fail(s.where(f) + ": warp collective called by a lane outside its own mask");
            return;
        }
        // Every lane in the mask must be at a collective of the same kind, with the same mask.
        bool ready = true;
        for (int m = 0; m < lanes; m++) {
            if ((mask & (1u << m)) == 0) {
                continue;
            }
            Fiber& g = s.fibers[base + m];
            if (g.state == RUNNABLE) {
                ready = false;
                continue;
            }
            if (g.state != AT_WARP || g.op != f.op || g.mask != mask) {
                const char* what = g.state == EXITED ? "has exited" : g.state == AT_BARRIER ? "waits at __syncthreads"
                                                                                           : "is at a different warp collective";
                s.fail(s.where(f) + ": divergent warp collective: lane " + std::to_string(m) + " of the mask " + what);
                return;
            }
        }
        if (!ready) {
            continue;
        }
        std::uint64_t ballot = 0;
        for (int m = 0; m < lanes; m++) {
            if (mask & (1u << m)) {
                ballot |= (s.fibers[base + m].value != 0 ? 1ull : 0ull) << m;
            }
        }
        for (int m = 0; m < lanes; m++) {
            if ((mask & (1u << m)) == 0) {
                continue;
            }
            Fiber& g = s.fibers[base + m];
            int width = g.width;
            if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
                s.fail(s.where(g) + ": shuffle width " + std::to_string(width) + " is not a power of two up to 32");
                return;
            }
            int segment = m & ~(width - 1);
            int src = m;
            switch (g.op) {
                case SHFL_IDX: src = segment + (g.arg & (width - 1)); break;
                case SHFL_UP: src = (m - segment) >= g.arg ? m - g.arg : m; break;
                case SHFL_DOWN: src = (m - segment) + g.arg < width ? m + g.arg : m; break;
                case SHFL_XOR: src = ((m - segment) ^ g.arg) < width ? m ^ g.arg : m; break;
                default: break;
            }
            if (g.op == BALLOT) {
                g.result = ballot;
            } else if (g.op == ALL) {
                g.result = ballot == mask ? 1 : 0;
            } else if (g.op == ANY) {
                g.result = ballot != 0 ? 1 : 0;
            } else {
                if (src < 0 || src >= lanes || (mask & (1u << src)) == 0) {
                    s.fail(s.where(g) + ": shuffle reads lane " + std::to_string(src) + ", which is not in the mask");
                    return;
                }
                g.result = s.fibers[base + src].value;
            }
        }
        for (int m = 0; m < lanes; m++) {
            if (mask & (1u << m)) {
                s.fibers[base + m].state = RUNNABLE;
            }
        }
        progress = true;
    }
}

}  // namespace

void dependent_step() {
    scheduler().running->events++;
}

void note_read(const void* p, std::size_t bytes) {
    tl_read.note(p, bytes);
}

void note_write(const void* p, std::size_t bytes) {
    tl_written.note(p, bytes);
}

Counts last_counts() {
    return tl_counts;
}

void syncthreads(int site) {
    Scheduler& s = scheduler();
    Fiber& f = *s.running;
    f.events++;
    f.state = AT_BARRIER;
    f.site = site;
    yield(f);
}

std::uint64_t warp_collective(int op, unsigned mask, std::uint64_t value, int arg, int width, int site) {
    Scheduler& s = scheduler();
    Fiber& f = *s.running;
    f.events++;
    f.state = AT_WARP;
    f.op = op;
    f.mask = mask;
    f.value = value;
    f.arg = arg;
    f.width = width;
    f.site = site;
    yield(f);
    return f.result;
}

unsigned lane_id() {
    return (unsigned) (scheduler().running->linear & 31);
}

std::string run_block(const Body& body, dim3 block) {
    Scheduler& s = scheduler();
    int n = (int) (block.x * block.y * block.z);
    if (n < 1 || n > MAX_THREADS) {
        return "block of " + std::to_string(n) + " threads: a block has 1 to " + std::to_string(MAX_THREADS);
    }
    try {
        s.ensure(n);
    } catch (const std::string& e) {
        return e;
    }
    s.body = &body;
    s.error.clear();
    for (int i = 0; i < n; i++) {
        Fiber& f = s.fibers[i];
        f.linear = i;
        f.events = 0;
        f.view.idx = dim3(i % block.x, (i / block.x) % block.y, i / (block.x * block.y));
        f.state = RUNNABLE;
        if (!f.started) {
            getcontext(&f.context);
            f.context.uc_stack.ss_sp = f.stack;
            f.context.uc_stack.ss_size = STACK_BYTES;
            f.context.uc_link = nullptr;
            makecontext(&f.context, entry, 0);
        }
    }
    while (s.error.empty()) {
        bool progress = false;
        for (int i = 0; i < n && s.error.empty(); i++) {
            Fiber& f = s.fibers[i];
            if (f.state == RUNNABLE) {
                resume(s, f);
                progress = true;
            }
        }
        if (!s.error.empty()) {
            break;
        }
        for (int w = 0; w * 32 < n && s.error.empty(); w++) {
            resolve_warp(s, n, w, progress);
        }
        if (progress || !s.error.empty()) {
            continue;
        }
        int exited = 0;
        int atBarrier = 0;
        int atWarp = 0;
        int site = -1;
        bool sameSite = true;
        for (int i = 0; i < n; i++) {
            State st = s.fibers[i].state;
            exited += st == EXITED;
            atWarp += st == AT_WARP;
            if (st == AT_BARRIER) {
                atBarrier++;
                if (site >= 0 && s.fibers[i].site != site) {
                    sameSite = false;
                }
                site = s.fibers[i].site;
            }
        }
        if (exited == n) {
            break;
        }
        if (atBarrier == 0) {
            s.fail("deadlock: " + std::to_string(atWarp) + " thread(s) wait at warp collectives that can never complete");
            break;
        }
        if (atBarrier != n) {
            s.fail("__syncthreads (line " + std::to_string(site) + ") reached by " + std::to_string(atBarrier) + " of "
                   + std::to_string(n) + " threads of block (" + std::to_string(tl_blockIdx.x) + "," + std::to_string(tl_blockIdx.y)
                   + "): " + std::to_string(exited) + " exited, " + std::to_string(atWarp) + " wait at warp collectives");
            break;
        }
        if (!sameSite) {
            s.fail("threads of block (" + std::to_string(tl_blockIdx.x) + "," + std::to_string(tl_blockIdx.y)
                   + ") wait at different __syncthreads calls");
            break;
        }
        for (int i = 0; i < n; i++) {
            s.fibers[i].state = RUNNABLE;
        }
    }
    // The block's depth: the most dependent phases any of its threads went through.
    for (int i = 0; i < n; i++) {
        if (s.fibers[i].events > tl_counts.phases) {
            tl_counts.phases = s.fibers[i].events;
        }
    }
    // A failed block leaves fibres inside the body: they start afresh next time.
    for (int i = 0; i < n; i++) {
        if (s.fibers[i].state != EXITED) {
            s.fibers[i].started = false;
        }
    }
    s.running = nullptr;
    tl_current = nullptr;
    return s.error;
}

std::string launch(const Body& body, dim3 grid, dim3 block, std::size_t sharedBytes) {
    static thread_local std::vector<unsigned char> dynamic;
    if (dynamic.size() < sharedBytes) {
        dynamic.resize(sharedBytes);
    }
    tl_dynamic_shared = dynamic.data();
    tl_gridDim = grid;
    tl_blockDim = block;
    tl_read.clear();
    tl_written.clear();
    tl_counts = Counts{};
    for (unsigned z = 0; z < grid.z; z++) {
        for (unsigned y = 0; y < grid.y; y++) {
            for (unsigned x = 0; x < grid.x; x++) {
                tl_blockIdx = dim3(x, y, z);
                std::string e = run_block(body, block);
                if (!e.empty()) {
                    return e;
                }
            }
        }
    }
    // Blocks run side by side on a GPU: the launch's depth is its deepest block's, plus the launch itself.
    tl_counts.phases += 1;
    tl_counts.bytesRead = tl_read.bytes();
    tl_counts.bytesWritten = tl_written.bytes();
    tl_counts.blocks = (std::uint64_t) grid.x * grid.y * grid.z;
    tl_read.clear();
    tl_written.clear();
    return "";
}

}  // namespace emu
