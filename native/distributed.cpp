// distributed.cpp: libtorch's c10d engine through the C ABI — FileStore/TCPStore, a Gloo process group, all-reduce,
// broadcast, barrier and bucketed gradient synchronisation. No communication code of our own: every byte moves
// through c10d::ProcessGroupGloo. Without c10d/Gloo at build time (GD_HAVE_C10D unset) each call fails clearly.
#include "common.h"

#ifdef GD_HAVE_C10D
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <chrono>
#include <cstdlib>

namespace {
using StorePtr = c10::intrusive_ptr<c10d::Store>;
using PgPtr = c10::intrusive_ptr<c10d::ProcessGroupGloo>;
StorePtr& S(gd_store s) { return *reinterpret_cast<StorePtr*>(s); }
PgPtr& P(gd_pg p) { return *reinterpret_cast<PgPtr*>(p); }
std::chrono::milliseconds ms(double seconds) {
  TORCH_CHECK(seconds > 0, "distributed: the timeout must be > 0 seconds, got ", seconds);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}
c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case GD_REDUCE_SUM: case GD_REDUCE_AVG: return c10d::ReduceOp(c10d::ReduceOp::SUM);  // Gloo has no AVG: sum, then divide
    case GD_REDUCE_MAX: return c10d::ReduceOp(c10d::ReduceOp::MAX);
    case GD_REDUCE_MIN: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    default: TORCH_CHECK(false, "all_reduce: unknown reduce op code ", op, " (0 sum, 1 avg, 2 max, 3 min)");
  }
}
void run(c10::intrusive_ptr<c10d::Work> work) { work->wait(); }
}  // namespace

GD_API int gd_dist_available(int* out) { GD_TRY(*out = 1) }

GD_API int gd_store_file_new(const char* path, int world_size, double timeout_s, gd_store* out) {
  GD_TRY(TORCH_CHECK(path && *path, "FileStore: give the path of the file the processes share");
         TORCH_CHECK(world_size >= 1, "FileStore: world size must be >= 1, got ", world_size);
         auto s = c10::make_intrusive<c10d::FileStore>(path, world_size); s->setTimeout(ms(timeout_s));
         *out = reinterpret_cast<gd_store>(new StorePtr(s)))
}

GD_API int gd_store_tcp_new(const char* host, int port, int world_size, int is_server, double timeout_s, gd_store* out) {
  GD_TRY(TORCH_CHECK(host && *host, "TCPStore: give the master's host name or address");
         TORCH_CHECK(port > 0 && port < 65536, "TCPStore: port must be in 1..65535, got ", port);
         c10d::TCPStoreOptions o; o.port = static_cast<std::uint16_t>(port); o.isServer = is_server != 0;
         o.numWorkers = static_cast<std::size_t>(world_size); o.waitWorkers = true; o.timeout = ms(timeout_s);
         auto s = c10::make_intrusive<c10d::TCPStore>(std::string(host), o);
         *out = reinterpret_cast<gd_store>(new StorePtr(s)))
}

GD_API int gd_store_free(gd_store s) { GD_TRY(delete reinterpret_cast<StorePtr*>(s)) }

GD_API int gd_pg_gloo_new(gd_store store, const char* prefix, int rank, int world_size, double timeout_s,
                          const char* device_host, gd_pg* out) {
  GD_TRY(TORCH_CHECK(world_size >= 1 && rank >= 0 && rank < world_size,
                     "ProcessGroupGloo: rank must be in 0..world_size-1, got rank ", rank, " of ", world_size);
         StorePtr st = S(store);
         if (prefix && *prefix) st = c10::make_intrusive<c10d::PrefixStore>(prefix, st);
         auto opts = c10d::ProcessGroupGloo::Options::create(ms(timeout_s));
         const char* iface = std::getenv("GLOO_SOCKET_IFNAME");
         if (device_host && *device_host) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(device_host));
         else if (iface && *iface) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
         else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
         opts->threads = 2;
         auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(st, rank, world_size, opts);
         *out = reinterpret_cast<gd_pg>(new PgPtr(pg)))
}

GD_API int gd_pg_free(gd_pg pg) { GD_TRY(delete reinterpret_cast<PgPtr*>(pg)) }

GD_API int gd_pg_all_reduce_(gd_pg pg, gd_tensor a, int op) {
  GD_TRY(std::vector<at::Tensor> ts{at::Tensor(gd::T(a))};
         c10d::AllreduceOptions o; o.reduceOp = reduce_op(op); o.timeout = P(pg)->getOptions()->timeout;
         run(P(pg)->allreduce(ts, o));
         if (op == GD_REDUCE_AVG) ts[0].div_(P(pg)->getSize()))
}

GD_API int gd_pg_broadcast_(gd_pg pg, gd_tensor a, int root) {
  GD_TRY(TORCH_CHECK(root >= 0 && root < P(pg)->getSize(), "broadcast: root rank ", root, " is not in 0..", P(pg)->getSize() - 1);
         std::vector<at::Tensor> ts{at::Tensor(gd::T(a))};
         c10d::BroadcastOptions o; o.rootRank = root; o.timeout = P(pg)->getOptions()->timeout;
         run(P(pg)->broadcast(ts, o)))
}

GD_API int gd_pg_barrier(gd_pg pg) {
  GD_TRY(c10d::BarrierOptions o; o.timeout = P(pg)->getOptions()->timeout; run(P(pg)->barrier(o)))
}

// Buckets of consecutive parameters with the same dtype and device, each at most bucket_bytes (a parameter larger
// than that is a bucket of its own). Each bucket: flatten its grads into one tensor (cat of views), scale it,
// all-reduce (sum), and copy the slices back. Every bucket's all-reduce is queued before the first wait, so Gloo's
// threads work on one bucket while the next is being flattened. Not overlapped with backward (no autograd hooks).
GD_API int gd_pg_sync_grads(gd_pg pg, const gd_tensor* params, int n, double scale, int64_t bucket_bytes) {
  GD_TRY(
      TORCH_CHECK(bucket_bytes > 0, "sync_grads: the bucket size must be > 0 bytes, got ", bucket_bytes);
      at::NoGradGuard no_grad;
      std::vector<at::Tensor> grads;
      for (int i = 0; i < n; ++i) {
        at::Tensor p = gd::T(params[i]);
        if (!p.requires_grad()) continue;
        if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
        grads.push_back(p.grad());
      }
      std::vector<std::vector<at::Tensor>> buckets;
      int64_t bytes = 0;
      for (auto& g : grads) {
        auto b = static_cast<int64_t>(g.numel() * g.element_size());
        bool fresh = buckets.empty() || bytes + b > bucket_bytes || buckets.back()[0].scalar_type() != g.scalar_type() ||
                     buckets.back()[0].device() != g.device();
        if (fresh) { buckets.emplace_back(); bytes = 0; }
        buckets.back().push_back(g);
        bytes += b;
      }
      std::vector<std::vector<at::Tensor>> flats(buckets.size());
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      c10d::AllreduceOptions o; o.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM); o.timeout = P(pg)->getOptions()->timeout;
      for (size_t k = 0; k < buckets.size(); ++k) {
        std::vector<at::Tensor> views;
        for (auto& g : buckets[k]) views.push_back(g.reshape({-1}));  // (numel,)
        auto flat = at::cat(views);                                    // (sum of numels,)
        if (scale != 1.0) flat.mul_(scale);
        flats[k] = {flat};
        works.push_back(P(pg)->allreduce(flats[k], o));
      }
      for (size_t k = 0; k < buckets.size(); ++k) {
        works[k]->wait();
        int64_t off = 0;
        for (auto& g : buckets[k]) {
          g.copy_(flats[k][0].narrow(0, off, g.numel()).view(g.sizes()));
          off += g.numel();
        }
      })
}

#else  // built without c10d/Gloo

#define GD_NO_C10D TORCH_CHECK(false, "GenDsl was not built with c10d (libtorch's distributed engine with Gloo): " \
  "install the gloo headers (Debian: libgloo-dev) and rebuild native/ (remove native/build)")
GD_API int gd_dist_available(int* out) { GD_TRY(*out = 0) }
GD_API int gd_store_file_new(const char*, int, double, gd_store*) { GD_TRY(GD_NO_C10D) }
GD_API int gd_store_tcp_new(const char*, int, int, int, double, gd_store*) { GD_TRY(GD_NO_C10D) }
GD_API int gd_store_free(gd_store) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_gloo_new(gd_store, const char*, int, int, double, const char*, gd_pg*) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_free(gd_pg) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_all_reduce_(gd_pg, gd_tensor, int) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_broadcast_(gd_pg, gd_tensor, int) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_barrier(gd_pg) { GD_TRY(GD_NO_C10D) }
GD_API int gd_pg_sync_grads(gd_pg, const gd_tensor*, int, double, int64_t) { GD_TRY(GD_NO_C10D) }
#endif
