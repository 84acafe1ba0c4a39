// allocator.cpp: libtorch's CPU allocator for GenDsl — each large block its own mapping, kept after it is freed for the
// next request of the same size, with the memory held never more than the peak in use plus an eighth.
//
// Why: a training step allocates the same large temporaries every time (the LM's (4800, 33278) logits: 640 MB, three
// times a step; EM's (N, K) responsibilities). glibc maps each block over 32 MiB afresh and faults it in page by page
// (at the LM's scale 0.5 s of kernel time a step), and serving them from the heap instead (M_MMAP_MAX = 0) keeps every
// freed block but fragments: the LM peaked at 1.8x PyTorch's resident memory. Here a freed large block is kept, whole,
// and given to the next request of exactly its size (a steady loop never faults again); a request that finds none maps
// a new block after unmapping the least recently freed ones until what is held (in use + kept) is at most the peak in
// use so far plus an eighth — so the resident memory stays within 12.5% of what a non-caching allocator would peak at.
// Blocks under the threshold go to libtorch's default allocator (posix_memalign) unchanged.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

// libtorch 2.x made Allocator::allocate non-const and added the pure virtual copy_data: CMakeLists.txt tests the
// headers it builds against and defines GD_ALLOCATE_NON_CONST / GD_ALLOCATOR_COPY_DATA accordingly.
#ifdef GD_ALLOCATE_NON_CONST
#define GD_ALLOCATE_CONST
#else
#define GD_ALLOCATE_CONST const
#endif

namespace {

class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(size_t threshold, bool hugePages) : threshold_(threshold), huge_(hugePages) {}

  c10::DataPtr allocate(size_t n) GD_ALLOCATE_CONST override {
    // A small block frees straight into free_cpu: no lock or lookup on the path every small tensor takes.
    if (n < threshold_) {
      void* p = c10::alloc_cpu(n);
      return {p, p, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
    }
    void* p = self().take(n);
    return {p, p, &ReleaseLarge, c10::Device(c10::DeviceType::CPU)};
  }
  // raw_allocate's callers free through one deleter, whatever the size: Release tells the two apart.
  c10::DeleterFnPtr raw_deleter() const override { return &Release; }
#ifdef GD_ALLOCATOR_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif

  static CachingCpuAllocator*& instance() {
    static CachingCpuAllocator* a = nullptr;
    return a;
  }

  void stats(int64_t* out) {
    std::lock_guard<std::mutex> lock(mutex_);
    out[0] = static_cast<int64_t>(inUse_);
    out[1] = static_cast<int64_t>(cached_);
    out[2] = static_cast<int64_t>(peak_);
    out[3] = static_cast<int64_t>(hits_);
    out[4] = static_cast<int64_t>(misses_);
    out[5] = static_cast<int64_t>(threshold_);
  }

  void resetPeak() {
    std::lock_guard<std::mutex> lock(mutex_);
    peak_ = inUse_;
  }

  // Unmaps every kept block (what torch.cuda.empty_cache does for the GPU); blocks in use are untouched.
  void emptyCache() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!free_.empty()) evictOldest();
  }

 private:
  CachingCpuAllocator& self() const { return const_cast<CachingCpuAllocator&>(*this); }

  static size_t pageSize() {
    static const size_t p = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return p;
  }

  void* take(size_t n) {
    const size_t bytes = (n + pageSize() - 1) / pageSize() * pageSize();
    std::lock_guard<std::mutex> lock(mutex_);
    // the most recently freed block of exactly this size: its pages are resident and likely in cache
    for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
      if (it->second != bytes) continue;
      void* p = it->first;
      free_.erase(std::next(it).base());
      cached_ -= bytes;
      inUse_ += bytes;
      ++hits_;
      return p;
    }
    ++misses_;
    const size_t bound = peak_ + peak_ / 8;
    while (!free_.empty() && inUse_ + cached_ + bytes > bound) evictOldest();
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      while (!free_.empty()) evictOldest();
      p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    TORCH_CHECK(p != MAP_FAILED, "out of memory: could not map ", bytes, " bytes for a tensor (", inUse_,
                " bytes of large tensors in use); use a smaller batch or model");
    if (huge_) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: a kernel without THP ignores it
    sizes_.emplace(p, bytes);
    inUse_ += bytes;
    peak_ = std::max(peak_, inUse_);
    return p;
  }

  // false when p is not one of ours (a small block from alloc_cpu)
  bool give(void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sizes_.find(p);
    if (it == sizes_.end()) return false;
    inUse_ -= it->second;
    cached_ += it->second;
    free_.emplace_back(p, it->second);
    return true;
  }

  void evictOldest() {
    auto [p, bytes] = free_.front();
    free_.pop_front();
    munmap(p, bytes);
    sizes_.erase(p);
    cached_ -= bytes;
  }

  static void Release(void* p) {
    if (p == nullptr) return;
    auto* a = instance();
    if (a == nullptr || !a->give(p)) c10::free_cpu(p);
  }

  static void ReleaseLarge(void* p) { instance()->give(p); }  // always one of ours: only take() hands this deleter out

  const size_t threshold_;
  const bool huge_;
  std::mutex mutex_;
  std::unordered_map<void*, size_t> sizes_;        // every large block, in use or kept
  std::list<std::pair<void*, size_t>> free_;       // kept blocks, least recently freed first
  size_t inUse_ = 0, cached_ = 0, peak_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace

// Installs the caching allocator for every CPU tensor allocated from now on (blocks already allocated keep their
// own deleters). Idempotent: a second call changes nothing and returns 0.
GD_API int gd_alloc_install(int64_t threshold_bytes, int huge_pages) {
  GD_TRY(TORCH_CHECK(threshold_bytes > 0, "allocator threshold must be positive, got ", threshold_bytes);
         auto*& a = CachingCpuAllocator::instance();
         if (a == nullptr) {
           a = new CachingCpuAllocator(static_cast<size_t>(threshold_bytes), huge_pages != 0);
           c10::SetCPUAllocator(a, /*priority*/ 1);
         })
}

// out[6]: bytes of large blocks in use, kept, peak in use; hits, misses; the threshold. All zero when not installed.
GD_API int gd_alloc_stats(int64_t* out) {
  GD_TRY(std::fill(out, out + 6, int64_t{0}); if (auto* a = CachingCpuAllocator::instance()) a->stats(out))
}

GD_API int gd_alloc_empty_cache(void) {
  GD_TRY(if (auto* a = CachingCpuAllocator::instance()) a->emptyCache())
}

// The peak in use becomes what is in use now (torch.cuda.reset_peak_memory_stats): it also tightens the bound on kept blocks.
GD_API int gd_alloc_reset_peak(void) {
  GD_TRY(if (auto* a = CachingCpuAllocator::instance()) a->resetPeak())
}
