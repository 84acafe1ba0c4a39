// conv_transpose.h: internal (not part of the C ABI) — conv_transpose2d on oneDNN for libtorch builds that run it on the slow im2col path.
#pragma once
#include <ATen/ATen.h>

namespace gd {
// True where conv_transpose2d_onednn computes this call faster than at::conv_transpose2d: a float32 CPU 4-D input,
// groups 1, dilation 1, at least 16 output channels, libtorch built with oneDNN (MKLDNN) and not disabled.
bool conv_transpose2d_onednn_applies(const at::Tensor& x, const at::Tensor& w, at::IntArrayRef dilation, int64_t groups);
// at::conv_transpose2d(x, w, b, stride, padding, output_padding) (groups 1, dilation 1) as the input-gradient of
// conv2d(., w, stride, padding), which libtorch computes with oneDNN's backward-data primitive; differentiable.
at::Tensor conv_transpose2d_onednn(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b,
                                   at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding);
}  // namespace gd
