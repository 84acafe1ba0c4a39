// native_floor.cpp: the three benchmark workloads written directly against libtorch in C++ — the engine's floor.
// Same loops as bench/GenDsl.Bench (C#) and bench/*.py (PyTorch); prints "key value" lines that bench/run.sh reads.
// Usage: gendsl_bench_floor [threads=2] [repeats=3] | adds N. The machine may be shared, so every loop is timed in chunks and
// the fastest chunk stands for the uncontended speed: 20 chunks of 5000 adds, single matmuls, 10 chunks of 500 SGD
// steps (gmm_s = 10 x the fastest chunk); the best over the repeats is printed.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// 1. per-op overhead: 100k adds of two 1-element float32 tensors; seconds per add.
double per_add(int n) {
  auto a = at::ones({1});
  auto b = at::ones({1});
  for (int i = 0; i < 1000; ++i) { auto c = at::add(a, b); }
  double best = 1e9;
  for (int k = 0; k < n / 5000; ++k) {
    double t0 = now();
    for (int i = 0; i < 5000; ++i) { auto c = at::add(a, b); }
    best = std::min(best, (now() - t0) / 5000);
  }
  return best;
}

// 2. 1024x1024 float32 matmul throughput in GFLOP/s (2 n^3 flops per product).
double matmul_gflops(int64_t n, int reps) {
  auto a = at::randn({n, n});
  auto b = at::randn({n, n});
  for (int i = 0; i < 3; ++i) { auto c = at::matmul(a, b); }
  double best = 1e9;
  for (int i = 0; i < reps; ++i) {
    double t0 = now();
    auto c = at::matmul(a, b);
    best = std::min(best, now() - t0);
  }
  return 2.0 * n * n * n / best / 1e9;
}

// 3. CSE 599i HW1 P7c: SGD on the (3, 2) means of an equal-weight, identity-covariance GMM, one point per step:
//    loss_i = -log p(x_i) = -logsumexp_k( log(1/3) - log(2 pi) - |x_i - mu_k|^2 / 2 ).
//    The point of step s is x[(s * 7919) % 3000] in every implementation (no RNG inside the timed loop).
double gmm_sgd(int steps, double lr, at::Tensor* final_mu) {
  at::manual_seed(0);
  auto centers = at::tensor({-2.0f, 0.0f, 1.0f, 3.0f, 2.0f, -2.0f}).view({3, 1, 2});
  auto x = (at::randn({3, 1000, 2}) + centers).reshape({3000, 2});  // (3000, 2)
  auto mu = at::randn({3, 2}).set_requires_grad(true);               // (3, 2)
  const double c = std::log(1.0 / 3.0) - std::log(2 * M_PI);
  double best = 1e9, t0 = now();
  for (int s = 0; s < steps; ++s) {
    if (s % 500 == 0) t0 = now();
    auto xi = x.select(0, (s * 7919LL) % 3000);          // (2,)
    auto d = xi - mu;                                     // (3, 2)
    auto logp = (d * d).sum(1) * -0.5 + c;                // (3,)
    auto loss = -at::logsumexp(logp, 0);
    loss.backward();
    {
      at::NoGradGuard ng;
      auto g = mu.grad();
      mu.add_(g, -lr);
      g.zero_();
    }
    if (s % 500 == 499) best = std::min(best, now() - t0);
  }
  *final_mu = mu.detach();
  return best * steps / 500;
}
}  // namespace

int main(int argc, char** argv) {
  // "adds N": only N adds, nothing printed — for counting instructions per op (bench/count.sh).
  if (argc > 2 && std::string(argv[1]) == "adds") {
    at::set_num_threads(1);
    auto a = at::ones({1}), b = at::ones({1});
    for (long i = 0, n = std::atol(argv[2]); i < n; ++i) { auto c = at::add(a, b); }
    return 0;
  }
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  at::set_num_threads(threads);
  double add = 1e9, mm = 0, gmm = 1e9;
  at::Tensor mu;
  for (int r = 0; r < repeats; ++r) {
    add = std::min(add, per_add(100000));
    mm = std::max(mm, matmul_gflops(1024, 20));
    gmm = std::min(gmm, gmm_sgd(5000, 0.05, &mu));
  }
  auto m = mu.contiguous();
  std::printf("threads %d\nadd_us %.4f\nmatmul_gflops %.2f\ngmm_s %.4f\n", at::get_num_threads(), add * 1e6, mm, gmm);
  std::printf("gmm_mu %.3f %.3f %.3f %.3f %.3f %.3f\n", m[0][0].item<float>(), m[0][1].item<float>(),
              m[1][0].item<float>(), m[1][1].item<float>(), m[2][0].item<float>(), m[2][1].item<float>());
  return 0;
}
