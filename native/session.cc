// Creates the ORT session, maps graph inputs to roles by name and runs batches over caller-owned buffers.
#include "session.h"

#include "errors.h"
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

}  // namespace

Session::Session(const SessionOptions& options) {
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  so.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
  so.SetIntraOpNumThreads(options.intra_op_threads);
  so.SetInterOpNumThreads(1);
  try {
    session_ = Ort::Session(OrtEnvironment(), ToOrtPath(options.model_path).c_str(), so);
  } catch (const Ort::Exception& e) {
    throw Error(code::kModelLoad, "ONNX Runtime cannot load " + options.model_path + ": " + e.what());
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
}

void Session::Run(BatchBuffers& buffers) {
  const int64_t shape[2] = {buffers.rows, buffers.columns};
  const size_t cells = static_cast<size_t>(buffers.rows * buffers.columns);
  std::vector<Ort::Value> values;
  values.reserve(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::vector<int64_t>* source = nullptr;
    switch (inputs_[i].role) {
      case Role::kInputIds: source = &buffers.input_ids; break;
      case Role::kAttentionMask: source = &buffers.attention_mask; break;
      case Role::kTokenTypeIds: source = &buffers.token_type_ids; break;
    }
    if (inputs_[i].type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
      values.push_back(Ort::Value::CreateTensor<int64_t>(memory_info_, source->data(), cells, shape, 2));
    } else {
      if (narrow_.size() < cells * inputs_.size()) narrow_.resize(cells * inputs_.size());
      int32_t* narrow = narrow_.data() + i * cells;
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
