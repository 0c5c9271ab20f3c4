// Reusable input/output buffers for one batch; grown on demand, never shrunk, so the steady state allocates nothing.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>

#include "onnxruntime_c_api.h"

namespace crossrank {

// Host memory for one batch tensor: from ONNX Runtime's CUDA-pinned allocator when a GPU runs the graph (its copies to
// the device are then direct DMA), else from the heap.
template <typename T>
class HostArray {
 public:
  HostArray() = default;
  HostArray(const HostArray&) = delete;
  HostArray& operator=(const HostArray&) = delete;
  ~HostArray() { Release(); }

  // Must be set before the first Resize; the allocator must outlive this array.
  void SetAllocator(OrtAllocator* allocator) {
    Release();
    allocator_ = allocator;
  }

  void Resize(size_t size) {
    if (size > capacity_) {
      Release();
      const size_t capacity = std::max(size, capacity_ * 2);
      void* memory = allocator_ != nullptr ? allocator_->Alloc(allocator_, capacity * sizeof(T)) : ::operator new(capacity * sizeof(T));
      if (memory == nullptr) throw std::bad_alloc();
      data_ = static_cast<T*>(memory);
      capacity_ = capacity;
    }
    size_ = size;
  }

  void Fill(T value) { std::fill(data_, data_ + size_, value); }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  void Release() {
    if (data_ != nullptr) {
      if (allocator_ != nullptr) {
        allocator_->Free(allocator_, data_);
      } else {
        ::operator delete(data_);
      }
    }
    data_ = nullptr;
    capacity_ = 0;
    size_ = 0;
  }

  OrtAllocator* allocator_ = nullptr;
  T* data_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

struct BatchBuffers {
  int64_t rows = 0;
  int64_t columns = 0;
  HostArray<int64_t> input_ids;
  HostArray<int64_t> attention_mask;
  HostArray<int64_t> token_type_ids;
  HostArray<float> logits;
  HostArray<int32_t> narrow;  // int32 copies of the inputs, for graphs that declare int32 inputs

  // Pinned host memory for GPU runs; null: the heap.
  void UseAllocator(OrtAllocator* allocator) {
    input_ids.SetAllocator(allocator);
    attention_mask.SetAllocator(allocator);
    token_type_ids.SetAllocator(allocator);
    logits.SetAllocator(allocator);
    narrow.SetAllocator(allocator);
  }

  // Sizes the buffers for rows x columns and fills them with padding (pad_id, mask 0, type 0).
  void Reset(int64_t new_rows, int64_t new_columns, int64_t num_labels, int64_t pad_id) {
    rows = new_rows;
    columns = new_columns;
    const size_t cells = static_cast<size_t>(rows * columns);
    input_ids.Resize(cells);
    input_ids.Fill(pad_id);
    attention_mask.Resize(cells);
    attention_mask.Fill(0);
    token_type_ids.Resize(cells);
    token_type_ids.Fill(0);
    logits.Resize(static_cast<size_t>(rows * num_labels));
  }

  // Writes one tokenized pair into row `row`; the rest of the row stays padding.
  void SetRow(int64_t row, const int32_t* ids, const int32_t* type_ids, size_t length) {
    const size_t base = static_cast<size_t>(row * columns);
    for (size_t i = 0; i < length; ++i) {
      input_ids[base + i] = ids[i];
      attention_mask[base + i] = 1;
      token_type_ids[base + i] = type_ids[i];
    }
  }
};

}  // namespace crossrank
