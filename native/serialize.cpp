// serialize.cpp: save/load {name: tensor} as a torch.save-compatible pickle (PyTorch's torch.load reads it).
#include "common.h"
#include <torch/csrc/jit/serialization/pickle.h>
#include <fstream>
#include <iterator>

using gd::T;
using gd::wrap;

namespace {
struct Loaded { std::vector<std::string> names; std::vector<at::Tensor> tensors; };
}

GD_API int gd_save(const char* path, const char* const* names, const gd_tensor* tensors, int n) {
  GD_TRY(c10::Dict<std::string, at::Tensor> dict;
         for (int i = 0; i < n; ++i) dict.insert(names[i], T(tensors[i]).detach().to(at::kCPU));
         auto bytes = torch::jit::pickle_save(c10::IValue(dict));
         std::ofstream f(path, std::ios::binary);
         TORCH_CHECK(f, "cannot open '", path, "' for writing");
         f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
         TORCH_CHECK(f.good(), "writing '", path, "' failed"))
}
GD_API int gd_load_count(const char* path, int* n, void** state) {
  GD_TRY(std::ifstream f(path, std::ios::binary);
         TORCH_CHECK(f, "cannot open '", path, "' for reading");
         std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
         auto v = torch::jit::pickle_load(bytes);
         TORCH_CHECK(v.isGenericDict(), "'", path, "' does not hold a {name: tensor} dictionary");
         auto l = std::make_unique<Loaded>();
         for (const auto& e : v.toGenericDict()) {
           TORCH_CHECK(e.key().isString() && e.value().isTensor(), "'", path, "' holds an entry that is not name -> tensor");
           l->names.push_back(e.key().toStringRef());
           l->tensors.push_back(e.value().toTensor());
         }
         *n = static_cast<int>(l->names.size()); *state = l.release())
}
GD_API int gd_load_entry(void* state, int i, const char** name, gd_tensor* tensor) {
  GD_TRY(auto* l = static_cast<Loaded*>(state);
         TORCH_CHECK(i >= 0 && i < static_cast<int>(l->names.size()), "load entry ", i, " out of range");
         *name = l->names[static_cast<size_t>(i)].c_str(); *tensor = wrap(l->tensors[static_cast<size_t>(i)]))
}
GD_API int gd_load_free(void* state) { GD_TRY(delete static_cast<Loaded*>(state)) }
