// Creates the ORT session, maps graph inputs to roles by name and runs batches over caller-owned buffers.
#include "session.h"

#include <algorithm>

#include "errors.h"
#include "execution_providers.h"
#include "ort_library.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace crossrank {
namespace {

std::basic_string<ORTCHAR_T> ToOrtPath(const std::string& utf8) {
#ifdef _WIN32
  int wlen = MultiByteToWideChar(CP_UTF8, 0, utf8.c_str(), -1, nullptr, 0);
  std::wstring wide(static_cast<size_t>(wlen > 0 ? wlen : 1), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.c_str(), -1, wide.data(), wlen);
  wide.resize(wide.size() - 1);
  return wide;
#else
  return utf8;
#endif
}

Ort::Session CreateSession(const SessionOptions& options, const std::vector<ProviderRequest>& providers) {
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  so.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
  so.SetIntraOpNumThreads(options.intra_op_threads);
  so.SetInterOpNumThreads(1);
  AppendProviders(so, providers, options.runtime_path);
  try {
    return Ort::Session(OrtEnvironment(), ToOrtPath(options.model_path).c_str(), so);
  } catch (const Ort::Exception& e) {
    const std::string what = e.what();
    // GPU providers load their CUDA/TensorRT dependencies when the session starts; name that as the provider's fault.
    const bool gpu = std::any_of(providers.begin(), providers.end(), [](const ProviderRequest& p) { return p.name != "cpu"; });
    if (gpu && (what.find("CUDA") != std::string::npos || what.find("cuda") != std::string::npos ||
                what.find("TensorRT") != std::string::npos || what.find("tensorrt") != std::string::npos)) {
      throw Error(code::kProviderUnavailable, "The GPU execution provider failed while loading " + options.model_path + ": " +
                                                  what + ". " + ProviderHelp(providers.front().name, options.runtime_path));
    }
    throw Error(code::kModelLoad, "ONNX Runtime cannot load " + options.model_path + ": " + what);
  }
}

// TensorRT builds one engine per profile: give it the batcher's full shape range so no request triggers a rebuild.
std::vector<ProviderRequest> WithTensorRtProfiles(const SessionOptions& options) {
  std::vector<ProviderRequest> providers = options.providers;
  auto trt = std::find_if(providers.begin(), providers.end(), [](const ProviderRequest& p) { return p.name == "tensorrt"; });
  if (trt == providers.end()) return providers;
  Ort::SessionOptions probe_options;
  probe_options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
  Ort::Session probe(nullptr);
  try {
    probe = Ort::Session(OrtEnvironment(), ToOrtPath(options.model_path).c_str(), probe_options);
  } catch (const Ort::Exception& e) {
    throw Error(code::kModelLoad, "ONNX Runtime cannot load " + options.model_path + ": " + e.what());
  }
  Ort::AllocatorWithDefaultOptions allocator;
  const int64_t opt_length = std::min<int64_t>(128, options.max_length);
  std::string min_shapes, opt_shapes, max_shapes;
  for (size_t i = 0; i < probe.GetInputCount(); ++i) {
    const std::string name = probe.GetInputNameAllocated(i, allocator).get();
    const std::string sep = i == 0 ? "" : ",";
    min_shapes += sep + name + ":1x1";
    opt_shapes += sep + name + ":" + std::to_string(options.max_batch_size) + "x" + std::to_string(opt_length);
    max_shapes += sep + name + ":" + std::to_string(options.max_batch_size) + "x" + std::to_string(options.max_length);
  }
  trt->options.emplace_back("trt_profile_min_shapes", min_shapes);
  trt->options.emplace_back("trt_profile_opt_shapes", opt_shapes);
  trt->options.emplace_back("trt_profile_max_shapes", max_shapes);
  return providers;
}

std::string FirstProvider(const std::vector<ProviderRequest>& providers) {
  return providers.empty() ? "cpu" : providers.front().name;
}

}  // namespace

Session::Session(const SessionOptions& options) {
  try {
    session_ = CreateSession(options, WithTensorRtProfiles(options));
    provider_ = FirstProvider(options.providers);
  } catch (const Error& e) {
    const bool cpu_last = !options.providers.empty() && options.providers.back().name == "cpu";
    if (e.code() != code::kProviderUnavailable || !options.fallback || !cpu_last) throw;
    session_ = CreateSession(options, {});
    provider_ = "cpu";
    fallback_reason_ = e.what();
  }

  Ort::AllocatorWithDefaultOptions allocator;
  bool has_ids = false;
  for (size_t i = 0; i < session_.GetInputCount(); ++i) {
    std::string name = session_.GetInputNameAllocated(i, allocator).get();
    Ort::TypeInfo type_info = session_.GetInputTypeInfo(i);  // owns what the tensor info points into
    ONNXTensorElementDataType type = type_info.GetTensorTypeAndShapeInfo().GetElementType();
    Role role;
    if (name == "input_ids") {
      role = Role::kInputIds;
      has_ids = true;
    } else if (name == "attention_mask") {
      role = Role::kAttentionMask;
    } else if (name == "token_type_ids") {
      role = Role::kTokenTypeIds;
      has_token_type_ids_ = true;
    } else {
      throw Error(code::kModelInputs, "The model " + options.model_path + " has an input named '" + name +
                                          "'; crossrank feeds only input_ids, attention_mask and token_type_ids");
    }
    if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 && type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
      throw Error(code::kModelInputs, "The model input '" + name + "' of " + options.model_path +
                                          " is not int64 or int32 (ONNX element type " + std::to_string(type) + ")");
    }
    inputs_.push_back({role, type});
    input_names_.push_back(std::move(name));
  }
  if (!has_ids) {
    throw Error(code::kModelInputs, "The model " + options.model_path + " has no 'input_ids' input; it is not a text classifier");
  }
  for (const auto& name : input_names_) input_name_ptrs_.push_back(name.c_str());

  if (session_.GetOutputCount() < 1) {
    throw Error(code::kModelInputs, "The model " + options.model_path + " has no outputs");
  }
  size_t output_index = 0;
  for (size_t i = 0; i < session_.GetOutputCount(); ++i) {
    if (std::string(session_.GetOutputNameAllocated(i, allocator).get()) == "logits") output_index = i;
  }
  output_name_ = session_.GetOutputNameAllocated(output_index, allocator).get();
  Ort::TypeInfo out_type_info = session_.GetOutputTypeInfo(output_index);
  auto out_info = out_type_info.GetTensorTypeAndShapeInfo();
  if (out_info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
    throw Error(code::kModelInputs, "The model output '" + output_name_ + "' of " + options.model_path + " is not float32");
  }
  std::vector<int64_t> out_shape = out_info.GetShape();
  if (out_shape.size() != 2) {
    throw Error(code::kModelInputs, "The model output '" + output_name_ + "' of " + options.model_path +
                                        " has rank " + std::to_string(out_shape.size()) + "; expected [batch, num_labels]");
  }
  num_labels_ = out_shape[1] > 0 ? out_shape[1] : options.num_labels_hint;
  if (num_labels_ <= 0) {
    throw Error(code::kModelInputs, "Cannot tell the number of labels of " + options.model_path +
                                        ": its output width is dynamic and config.json has no id2label");
  }
  memory_info_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  if (provider_ != "cpu") UsePinnedMemory(options);
}

// CUDA copies from pageable memory go through a staging buffer and block; from pinned memory they are direct DMA.
void Session::UsePinnedMemory(const SessionOptions& options) {
  int device_id = 0;
  for (const ProviderRequest& p : options.providers) {
    if (p.name != provider_) continue;
    for (const auto& [key, value] : p.options) {
      if (key == "device_id") device_id = std::stoi(value);
    }
  }
  try {
    Ort::MemoryInfo pinned("CudaPinned", OrtDeviceAllocator, device_id, OrtMemTypeCPUOutput);
    pinned_allocator_ = Ort::Allocator(session_, pinned);
    memory_info_ = std::move(pinned);
  } catch (const Ort::Exception& e) {
    // A provider without a pinned allocator still runs, from ordinary memory.
    pinned_allocator_ = Ort::Allocator(nullptr);
    pinned_error_ = e.what();
  }
}

void Session::Run(BatchBuffers& buffers) {
  const int64_t shape[2] = {buffers.rows, buffers.columns};
  const size_t cells = static_cast<size_t>(buffers.rows * buffers.columns);
  std::vector<Ort::Value> values;
  values.reserve(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    HostArray<int64_t>* source = nullptr;
    switch (inputs_[i].role) {
      case Role::kInputIds: source = &buffers.input_ids; break;
      case Role::kAttentionMask: source = &buffers.attention_mask; break;
      case Role::kTokenTypeIds: source = &buffers.token_type_ids; break;
    }
    if (inputs_[i].type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
      values.push_back(Ort::Value::CreateTensor<int64_t>(memory_info_, source->data(), cells, shape, 2));
    } else {
      if (buffers.narrow.size() < cells * inputs_.size()) buffers.narrow.Resize(cells * inputs_.size());
      int32_t* narrow = buffers.narrow.data() + i * cells;
      for (size_t c = 0; c < cells; ++c) narrow[c] = static_cast<int32_t>((*source)[c]);
      values.push_back(Ort::Value::CreateTensor<int32_t>(memory_info_, narrow, cells, shape, 2));
    }
  }
  const int64_t out_shape[2] = {buffers.rows, num_labels_};
  Ort::Value output = Ort::Value::CreateTensor<float>(memory_info_, buffers.logits.data(),
                                                      static_cast<size_t>(buffers.rows * num_labels_), out_shape, 2);
  const char* output_names[1] = {output_name_.c_str()};
  try {
    session_.Run(run_options_, input_name_ptrs_.data(), values.data(), values.size(), output_names, &output, 1);
  } catch (const Ort::Exception& e) {
    throw Error(code::kRun, std::string("ONNX Runtime failed to run the model: ") + e.what());
  }
}

void Session::Terminate() { run_options_.SetTerminate(); }

}  // namespace crossrank
