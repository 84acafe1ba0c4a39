// serialize.cpp: save/load {name: tensor} as a torch.save-compatible pickle (PyTorch's torch.load reads it).
#include "common.h"
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <fstream>
#include <iterator>

using gd::T;
using gd::wrap;

namespace {
struct Loaded { std::vector<std::string> names; std::vector<at::Tensor> tensors; };

// torch::jit::pickle_load, with what to do instead for the two files from Python it cannot read.
c10::IValue load_pickle(const std::vector<char>& bytes, const char* path) {
  try {
    return torch::jit::pickle_load(bytes);
  } catch (const c10::Error& e) {
    std::string m = e.what_without_backtrace();
    // libtorch's C++ unpickler turns collections.OrderedDict into None (it expects one only inside a tensor's pickle).
    TORCH_CHECK(m.find("Expected GenericDict but got None") == std::string::npos, "'", path,
                "' holds a collections.OrderedDict (what torch.save(model.state_dict()) writes), which libtorch's C++ "
                "unpickler cannot read: in Python, save a plain dict instead: torch.save(dict(model.state_dict()), path)");
    TORCH_CHECK(m.find("failed finding central directory") == std::string::npos, "'", path,
                "' is not a zip archive: torch.save's legacy format (_use_new_zipfile_serialization=False) or not a "
                "torch.save file; save it with torch.save's default format");
    throw;
  }
}
}  // namespace

// What torch::jit::pickle_save writes (the same bytes: its zip container, the pickle in "archive/data.pkl", one record per
// tensor), streamed to the file: pickle_save gathers the whole container in a growing vector first, which held up to twice
// the parameters' size at once (NICE's 77 MB of parameters: +143 MB resident while a checkpoint was written).
GD_API int gd_save(const char* path, const char* const* names, const gd_tensor* tensors, int n) {
  GD_TRY(c10::Dict<std::string, at::Tensor> dict;
         for (int i = 0; i < n; ++i) dict.insert(names[i], T(tensors[i]).detach().to(at::kCPU));
         std::vector<char> pickle;
         torch::jit::Pickler pickler([&](const char* buf, size_t size) { pickle.insert(pickle.end(), buf, buf + size); });
         pickler.protocol(); pickler.pushIValue(c10::IValue(dict)); pickler.stop();
         std::ofstream f(path, std::ios::binary);
         TORCH_CHECK(f, "cannot open '", path, "' for writing");
         caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
           f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
           return f.good() ? size : size_t{0};
         });
         torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(), writer);
         writer.writeEndOfFile();
         f.flush();
         TORCH_CHECK(f.good(), "writing '", path, "' failed"))
}
GD_API int gd_load_count(const char* path, int* n, void** state) {
  GD_TRY(std::ifstream f(path, std::ios::binary);
         TORCH_CHECK(f, "cannot open '", path, "' for reading");
         std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
         auto v = load_pickle(bytes, path);
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
