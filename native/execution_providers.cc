// CUDA / TensorRT provider options use the opaque V2 structs, so option keys follow ORT's documented names.
#include "execution_providers.h"

#include <algorithm>
#include <memory>

#include "errors.h"

namespace crossrank {
namespace {

std::string OurName(const std::string& ort_name) {
  if (ort_name == "CPUExecutionProvider") return "cpu";
  if (ort_name == "CUDAExecutionProvider") return "cuda";
  if (ort_name == "TensorrtExecutionProvider") return "tensorrt";
  return ort_name;
}

void Check(OrtStatus* status, const std::string& name, const std::string& runtime_path) {
  if (!status) return;
  std::string message = Ort::GetApi().GetErrorMessage(status);
  Ort::GetApi().ReleaseStatus(status);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ' || message.back() == '.')) message.pop_back();
  throw Error(code::kProviderUnavailable, "The " + name + " execution provider cannot start: " + message + ". " +
                                              ProviderHelp(name, runtime_path));
}

template <typename T>
void Apply(T* provider_options, OrtStatus* (*update)(T*, const char* const*, const char* const*, size_t),
           const ProviderRequest& request, const std::string& runtime_path) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : request.options) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  if (!keys.empty()) Check(update(provider_options, keys.data(), values.data(), keys.size()), request.name, runtime_path);
}

}  // namespace

std::vector<std::string> AvailableProviders() {
  std::vector<std::string> names;
  for (const auto& name : Ort::GetAvailableProviders()) names.push_back(OurName(name));
  return names;
}

std::string ProviderHelp(const std::string& name, const std::string& runtime_path) {
  std::string needs = name == "tensorrt" ? "libonnxruntime_providers_tensorrt.so and libonnxruntime_providers_cuda.so"
                                        : "libonnxruntime_providers_cuda.so";
  std::string system = name == "tensorrt" ? "CUDA 12, cuDNN 9 and TensorRT 10" : "CUDA 12 and cuDNN 9";
  return "It needs " + needs + " beside " + runtime_path + " and " + system +
         " libraries on the loader path. Install them with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`, "
         "or set ortLibraryPath (or CROSSRANK_ORT_LIBRARY) to lib/libonnxruntime.so of the official ONNX Runtime GPU "
         "release; pass fallback: true with 'cpu' last in executionProviders to run on CPU instead";
}

void AppendProviders(Ort::SessionOptions& options, const std::vector<ProviderRequest>& providers,
                     const std::string& runtime_path) {
  const OrtApi& api = Ort::GetApi();
  const std::vector<std::string> available = AvailableProviders();
  for (const ProviderRequest& request : providers) {
    if (request.name == "cpu") continue;
    if (std::find(available.begin(), available.end(), request.name) == available.end()) {
      throw Error(code::kProviderUnavailable, "The ONNX Runtime library at " + runtime_path + " was built without the " +
                                                  request.name + " execution provider. " + ProviderHelp(request.name, runtime_path));
    }
    if (request.name == "cuda") {
      OrtCUDAProviderOptionsV2* raw = nullptr;
      Check(api.CreateCUDAProviderOptions(&raw), request.name, runtime_path);
      std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)> cuda(raw, api.ReleaseCUDAProviderOptions);
      Apply(cuda.get(), api.UpdateCUDAProviderOptions, request, runtime_path);
      Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(options, cuda.get()), request.name, runtime_path);
    } else if (request.name == "tensorrt") {
      OrtTensorRTProviderOptionsV2* raw = nullptr;
      Check(api.CreateTensorRTProviderOptions(&raw), request.name, runtime_path);
      std::unique_ptr<OrtTensorRTProviderOptionsV2, void (*)(OrtTensorRTProviderOptionsV2*)> trt(raw, api.ReleaseTensorRTProviderOptions);
      Apply(trt.get(), api.UpdateTensorRTProviderOptions, request, runtime_path);
      Check(api.SessionOptionsAppendExecutionProvider_TensorRT_V2(options, trt.get()), request.name, runtime_path);
    } else {
      throw Error(code::kProviderUnavailable, "crossrank does not support the execution provider '" + request.name + "'");
    }
  }
}

}  // namespace crossrank
