// grad_overlap.cpp: gradient all-reduce overlapped with backward — hooks on the parameters' gradients launch each bucket's async Gloo all-reduce as soon as the bucket's gradients are all computed.
// Why not c10d::Reducer: libtorch_cpu 1.13 exports it, but it is built to be driven by Python's DDP (prepare_for_forward/
// backward, a bucket rebuild after the first iteration with a broadcast of the new order) and its default hook divides by
// W, where the Trainer needs each rank's share n_r / N of an uneven last batch. This is the same scheme, small: DDP's
// reverse-order buckets, launched in bucket order on every rank (so the ranks' collectives match), then waited for.
#include "common.h"

#ifdef GD_HAVE_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <mutex>

namespace {
struct Bucket {
  std::vector<int> members;          // indices into Overlap::params
  std::vector<int64_t> offsets;      // each member's offset in flat
  at::Tensor flat;                   // (sum of numels,) this rank's scaled gradients, then their all-reduced sum
  int pending = 0;                   // members whose gradient has not arrived this backward
  c10::intrusive_ptr<c10d::Work> work;
};

struct Overlap {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  std::vector<at::Tensor> params;
  std::vector<unsigned> hooks;
  std::vector<Bucket> buckets;
  std::vector<int> bucket_of, slot_of;
  std::vector<char> arrived;
  std::mutex mu;                     // hooks may run on autograd's worker threads
  bool armed = false;
  double scale = 1.0;
  size_t launched = 0;               // buckets 0..launched-1 have their all-reduce queued

  void launch_ready() {              // in bucket order only: every rank queues the same collectives in the same order
    while (launched < buckets.size() && buckets[launched].pending == 0) {
      auto& b = buckets[launched++];
      if (scale != 1.0) b.flat.mul_(scale);
      std::vector<at::Tensor> ts{b.flat};
      c10d::AllreduceOptions o; o.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM); o.timeout = pg->getOptions()->timeout;
      b.work = pg->allreduce(ts, o);
    }
  }

  void arrive(int i, const at::Tensor& g) {
    std::lock_guard<std::mutex> lock(mu);
    if (!armed || arrived[i]) return;
    at::NoGradGuard no_grad;
    arrived[i] = 1;
    auto& b = buckets[bucket_of[i]];
    auto& p = params[i];
    b.flat.narrow(0, b.offsets[slot_of[i]], p.numel()).copy_(g.reshape({-1}));  // (numel,)
    if (--b.pending == 0) launch_ready();
  }
};
}  // namespace

GD_API int gd_pg_overlap_new(gd_pg pg, const gd_tensor* params, int n, int64_t first_bucket_bytes, int64_t bucket_bytes,
                             gd_overlap* out) {
  GD_TRY(
      TORCH_CHECK(first_bucket_bytes > 0 && bucket_bytes > 0, "overlap: bucket sizes must be > 0 bytes, got ",
                  first_bucket_bytes, " and ", bucket_bytes);
      auto o = std::make_unique<Overlap>();
      o->pg = *reinterpret_cast<c10::intrusive_ptr<c10d::ProcessGroupGloo>*>(pg);
      for (int i = 0; i < n; ++i) {
        at::Tensor p = gd::T(params[i]);
        if (p.requires_grad()) o->params.push_back(p);
      }
      // Buckets over the parameters in reverse order (backward computes the last layers' gradients first), the first
      // at most first_bucket_bytes (it can start early), then bucket_bytes; one dtype and device per bucket.
      int64_t bytes = 0, cap = first_bucket_bytes;
      auto np = static_cast<int>(o->params.size());
      o->bucket_of.assign(np, 0); o->slot_of.assign(np, 0); o->arrived.assign(np, 0);
      for (int i = np - 1; i >= 0; --i) {
        auto& p = o->params[i];
        auto b = static_cast<int64_t>(p.numel() * p.element_size());
        bool fresh = o->buckets.empty() || bytes + b > cap ||
                     o->params[o->buckets.back().members[0]].scalar_type() != p.scalar_type() ||
                     o->params[o->buckets.back().members[0]].device() != p.device();
        if (fresh) {
          if (!o->buckets.empty()) cap = bucket_bytes;
          o->buckets.emplace_back(); bytes = 0;
        }
        auto& bk = o->buckets.back();
        o->bucket_of[i] = static_cast<int>(o->buckets.size()) - 1;
        o->slot_of[i] = static_cast<int>(bk.members.size());
        bk.offsets.push_back(bk.members.empty() ? 0 : bk.offsets.back() + o->params[bk.members.back()].numel());
        bk.members.push_back(i);
        bytes += b;
      }
      for (auto& bk : o->buckets) {
        auto& last = o->params[bk.members.back()];
        bk.flat = at::empty({bk.offsets.back() + last.numel()}, last.options().requires_grad(false));  // (sum of numels,)
      }
      Overlap* raw = o.get();
      for (int i = 0; i < np; ++i)
        o->hooks.push_back(o->params[i].register_hook([raw, i](const at::Tensor& g) { raw->arrive(i, g); }));
      *out = reinterpret_cast<gd_overlap>(o.release()))
}

GD_API int gd_pg_overlap_arm(gd_overlap h, double scale) {
  GD_TRY(auto* o = reinterpret_cast<Overlap*>(h); std::lock_guard<std::mutex> lock(o->mu);
         TORCH_CHECK(!o->armed, "overlap: armed twice without finish (a backward that threw?); finish the step first");
         o->armed = true; o->scale = scale; o->launched = 0;
         std::fill(o->arrived.begin(), o->arrived.end(), 0);
         for (auto& b : o->buckets) { b.pending = static_cast<int>(b.members.size()); b.work.reset(); })
}

// After backward: a parameter whose gradient never arrived (unused on this rank) counts as zeros; the buckets not yet
// queued are, in order; then each all-reduce is waited for and its slices become the gradients.
GD_API int gd_pg_overlap_finish(gd_overlap h) {
  GD_TRY(
      auto* o = reinterpret_cast<Overlap*>(h);
      std::lock_guard<std::mutex> lock(o->mu);
      TORCH_CHECK(o->armed, "overlap: finish without arm; call arm(scale) before backward");
      at::NoGradGuard no_grad;
      o->armed = false;
      for (size_t k = o->launched; k < o->buckets.size(); ++k) {
        auto& b = o->buckets[k];
        for (size_t s = 0; s < b.members.size(); ++s)
          if (!o->arrived[b.members[s]]) b.flat.narrow(0, b.offsets[s], o->params[b.members[s]].numel()).zero_();
        b.pending = 0;
      }
      o->launch_ready();
      for (auto& b : o->buckets) {
        b.work->wait();
        for (size_t s = 0; s < b.members.size(); ++s) {
          auto& p = o->params[b.members[s]];
          auto slice = b.flat.narrow(0, b.offsets[s], p.numel()).view(p.sizes());
          if (p.grad().defined()) p.mutable_grad().copy_(slice);
          else p.mutable_grad() = slice.clone();
        }
      })
}

GD_API int gd_pg_overlap_free(gd_overlap h) {
  GD_TRY(auto* o = reinterpret_cast<Overlap*>(h);
         for (size_t i = 0; i < o->hooks.size(); ++i) o->params[i].remove_hook(o->hooks[i]);
         delete o)
}

#else
#define GD_NO_C10D_OVERLAP TORCH_CHECK(false, "GenDsl was not built with c10d (libtorch's distributed engine with Gloo)")
GD_API int gd_pg_overlap_new(gd_pg, const gd_tensor*, int, int64_t, int64_t, gd_overlap*) { GD_TRY(GD_NO_C10D_OVERLAP) }
GD_API int gd_pg_overlap_arm(gd_overlap, double) { GD_TRY(GD_NO_C10D_OVERLAP) }
GD_API int gd_pg_overlap_finish(gd_overlap) { GD_TRY(GD_NO_C10D_OVERLAP) }
GD_API int gd_pg_overlap_free(gd_overlap) { GD_TRY(GD_NO_C10D_OVERLAP) }
#endif
