// micro: Google Benchmark micro-benchmarks of the hak_* API, with the system malloc beside
// each one for scale.
//
//   bazel run //bench:micro -- --benchmark_filter=MallocFree
//
// BM_MallocFree<A>/SIZE   one malloc+free pair per iteration, per size class 16..1024 and
//                         4096 (also run on 2 threads at 64 B)
// BM_Batch<A>/N/SIZE      N allocations, then N frees (LIFO order: the free order that a
//                         thread cache is built for; BM_BatchFifo frees in FIFO order)
// BM_CrossThreadFree<A>/SIZE  the benchmark thread allocates, a second thread frees each
//                         block it receives through a bounded queue (remote frees)
// items_per_second counts blocks (malloc+free pairs).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <thread>
#include <vector>

#include "hakmem/hakmem.h"

namespace {

// Keeps p alive in a register. Not benchmark::DoNotOptimize: Debian's 1.7.1 uses a "+m,r"
// asm constraint on an lvalue that GCC miscompiles at -O1 (the ASan build), corrupting p.
inline void Escape(void *p) { asm volatile("" : : "r"(p) : "memory"); }

struct Hak {
  static void *Alloc(size_t n) { return hak_malloc(n); }
  static void Free(void *p) { hak_free(p); }
};

struct Sys {
  static void *Alloc(size_t n) { return std::malloc(n); }
  static void Free(void *p) { std::free(p); }
};

template <class A> void BM_MallocFree(benchmark::State &state) {
  const size_t size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void *p = A::Alloc(size);
    Escape(p);
    A::Free(p);
  }
  state.SetItemsProcessed(state.iterations());
}

void SizeClasses(benchmark::internal::Benchmark *b) {
  for (int size : {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 4096}) {
    b->Arg(size);
  }
}

BENCHMARK_TEMPLATE(BM_MallocFree, Hak)->Apply(SizeClasses);
BENCHMARK_TEMPLATE(BM_MallocFree, Sys)->Apply(SizeClasses);
BENCHMARK_TEMPLATE(BM_MallocFree, Hak)->Arg(64)->Threads(2);
BENCHMARK_TEMPLATE(BM_MallocFree, Sys)->Arg(64)->Threads(2);

template <class A, bool kFifo> void BatchImpl(benchmark::State &state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t size = static_cast<size_t>(state.range(1));
  std::vector<void *> blocks(n);
  for (auto _ : state) {
    for (size_t i = 0; i < n; i++) {
      blocks[i] = A::Alloc(size);
    }
    Escape(blocks.data());
    if (kFifo) {
      for (size_t i = 0; i < n; i++) {
        A::Free(blocks[i]);
      }
    } else {
      for (size_t i = n; i-- > 0;) {
        A::Free(blocks[i]);
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}

template <class A> void BM_Batch(benchmark::State &state) { BatchImpl<A, false>(state); }
template <class A> void BM_BatchFifo(benchmark::State &state) { BatchImpl<A, true>(state); }

void Batches(benchmark::internal::Benchmark *b) {
  for (int n : {64, 1024, 16384}) {
    for (int size : {16, 128, 1024}) {
      b->Args({n, size});
    }
  }
}

BENCHMARK_TEMPLATE(BM_Batch, Hak)->Apply(Batches);
BENCHMARK_TEMPLATE(BM_Batch, Sys)->Apply(Batches);
BENCHMARK_TEMPLATE(BM_BatchFifo, Hak)->Apply(Batches);
BENCHMARK_TEMPLATE(BM_BatchFifo, Sys)->Apply(Batches);

// A single-producer single-consumer ring; the consumer frees what it pops.
class FreeQueue {
public:
  static constexpr size_t kSize = 1024;

  void Push(void *p) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    while (tail - head_.load(std::memory_order_acquire) >= kSize) {
      std::this_thread::yield();
    }
    ring_[tail % kSize] = p;
    tail_.store(tail + 1, std::memory_order_release);
  }

  // Pops until a nullptr arrives, freeing every block.
  template <class A> void DrainUntilNull() {
    size_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      unsigned spins = 0;
      while (tail_.load(std::memory_order_acquire) == head) {
        if (++spins > 64) {
          std::this_thread::yield();
          spins = 0;
        }
      }
      void *p = ring_[head % kSize];
      head++;
      head_.store(head, std::memory_order_release);
      if (p == nullptr) {
        return;
      }
      A::Free(p);
    }
  }

private:
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
  alignas(64) void *ring_[kSize] = {};
};

template <class A> void BM_CrossThreadFree(benchmark::State &state) {
  const size_t size = static_cast<size_t>(state.range(0));
  FreeQueue queue;
  std::thread freer([&queue] { queue.DrainUntilNull<A>(); });
  for (auto _ : state) {
    void *p = A::Alloc(size);
    Escape(p);
    queue.Push(p);
  }
  queue.Push(nullptr);
  freer.join();
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_TEMPLATE(BM_CrossThreadFree, Hak)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime();
BENCHMARK_TEMPLATE(BM_CrossThreadFree, Sys)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
