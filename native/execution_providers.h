// Appends the requested GPU execution providers (CUDA, TensorRT) to session options through ORT's V2 calls.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "onnxruntime_cxx_api.h"

namespace crossrank {

struct ProviderRequest {
  std::string name;  // "cuda", "tensorrt" or "cpu"
  std::vector<std::pair<std::string, std::string>> options;  // ORT provider option keys and values
};

// The providers this ONNX Runtime build lists, in our names ("cpu", "cuda", "tensorrt", ...).
std::vector<std::string> AvailableProviders();

// Appends each non-CPU provider in order. Throws Error(ERR_PROVIDER_UNAVAILABLE) naming what is missing.
void AppendProviders(Ort::SessionOptions& options, const std::vector<ProviderRequest>& providers,
                     const std::string& runtime_path);

// The message for a provider that failed to start: what it needs and how to install it.
std::string ProviderHelp(const std::string& name, const std::string& runtime_path);

}  // namespace crossrank
