// One ONNX Runtime inference session of a sequence-classification graph, fed only the inputs it declares.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "batch_buffers.h"
#include "execution_providers.h"
#include "onnxruntime_cxx_api.h"

namespace crossrank {

struct SessionOptions {
  std::string model_path;
  std::string runtime_path;  // the ONNX Runtime library, named in provider errors
  std::vector<ProviderRequest> providers;  // in order of preference; empty means CPU
  bool fallback = false;  // run on CPU when a GPU provider cannot start and 'cpu' is last
  int64_t max_batch_size = 32;  // with max_length: the TensorRT optimization profile's bounds
  int64_t max_length = 512;
  int intra_op_threads = 0;  // 0: ONNX Runtime's default, one per physical core
  int64_t num_labels_hint = 0;  // from config.json, used when the graph's output width is dynamic
};

class Session {
 public:
  // Throws crossrank::Error (ERR_MODEL_LOAD, ERR_MODEL_INPUTS).
  explicit Session(const SessionOptions& options);

  // Runs one batch; logits land in buffers.logits. Threads may run at once, each with its own buffers. Throws crossrank::Error(ERR_RUN).
  void Run(BatchBuffers& buffers);
  // Makes an in-flight Run return early (thread-safe); used at shutdown.
  void Terminate();

  int64_t num_labels() const { return num_labels_; }
  // The provider that runs the graph ("cpu", "cuda", "tensorrt"), and why a requested one was skipped.
  const std::string& provider() const { return provider_; }
  // Where batch buffers come from: ONNX Runtime's CUDA-pinned allocator on a GPU, null (the heap) on CPU.
  OrtAllocator* host_allocator() const { return pinned_allocator_ ? static_cast<OrtAllocator*>(pinned_allocator_) : nullptr; }
  // Why a GPU session runs from ordinary memory (no pinned allocator); empty otherwise.
  const std::string& pinned_error() const { return pinned_error_; }
  const std::string& fallback_reason() const { return fallback_reason_; }
  bool has_token_type_ids() const { return has_token_type_ids_; }
  const std::vector<std::string>& input_names() const { return input_names_; }

 private:
  enum class Role { kInputIds, kAttentionMask, kTokenTypeIds };
  struct Input {
    Role role;
    ONNXTensorElementDataType type;
  };

  void UsePinnedMemory(const SessionOptions& options);

  Ort::Session session_{nullptr};
  Ort::Allocator pinned_allocator_{nullptr};  // declared after session_: freed before it
  std::string pinned_error_;
  Ort::RunOptions run_options_;
  Ort::MemoryInfo memory_info_{nullptr};
  std::vector<Input> inputs_;
  std::vector<std::string> input_names_;
  std::vector<const char*> input_name_ptrs_;
  std::string output_name_;
  int64_t num_labels_ = 0;
  bool has_token_type_ids_ = false;
  std::string provider_;
  std::string fallback_reason_;
};

}  // namespace crossrank
