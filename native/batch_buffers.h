// Reusable input/output buffers for one batch; grown on demand, never shrunk, so the steady state allocates nothing.
#pragma once
#include <cstdint>
#include <vector>

namespace crossrank {

struct BatchBuffers {
  int64_t rows = 0;
  int64_t columns = 0;
  std::vector<int64_t> input_ids;
  std::vector<int64_t> attention_mask;
  std::vector<int64_t> token_type_ids;
  std::vector<float> logits;
  std::vector<int32_t> narrow;  // int32 copies of the inputs, for graphs that declare int32 inputs

  // Sizes the buffers for rows x columns and fills them with padding (pad_id, mask 0, type 0).
  void Reset(int64_t new_rows, int64_t new_columns, int64_t num_labels, int64_t pad_id) {
    rows = new_rows;
    columns = new_columns;
    const size_t cells = static_cast<size_t>(rows * columns);
    input_ids.assign(cells, pad_id);
    attention_mask.assign(cells, 0);
    token_type_ids.assign(cells, 0);
    logits.resize(static_cast<size_t>(rows * num_labels));
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
