// The scoring engine of one model: admission, tokenization and batched ONNX Runtime runs, all off the main thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "batch_buffers.h"
#include "batch_queue.h"
#include "request.h"
#include "session.h"
#include "tokenizer/tokenizer.h"

namespace crossrank {

// A settled request (or, with a null request, "the session is released") on its way to the main thread.
struct Completion {
  std::shared_ptr<Request> request;
};

// Totals over the batches run since load: how much of what ONNX Runtime computed was padding.
struct BatchStats {
  uint64_t batches = 0;
  uint64_t pairs = 0;
  uint64_t tokens = 0;         // real tokens
  uint64_t padded_tokens = 0;  // rows x width, as run
};

// Hands a completion to the main thread, taking ownership of it.
using Notifier = std::function<void(Completion*)>;

class Engine {
 public:
  Engine(std::shared_ptr<const Tokenizer> tokenizer, std::unique_ptr<Session> session, const BatchLimits& limits);

  void SetNotifier(Notifier notifier);

  // Main thread: reserves queue room for the request's pairs. Throws Error (ERR_CLOSED, ERR_QUEUE_FULL).
  void Admit(const Request& request);
  // Threadpool: tokenizes, queues, then runs batches until the queue is empty unless max_inflight_batches threads already do.
  void Process(const std::shared_ptr<Request>& request);
  // Main thread: drops a request's pending pairs; false when it had already settled.
  bool Cancel(const std::shared_ptr<Request>& request);
  // Main thread: rejects pending work; true when the session was released at once, else a null completion follows.
  bool Close();
  // Environment teardown: stops the in-flight run, waits for the runner, and never notifies again.
  void Shutdown();

  bool shut_down() const { return shut_down_.load(std::memory_order_acquire); }
  int64_t num_labels() const { return num_labels_; }
  bool has_token_type_ids() const { return has_token_type_ids_; }
  const std::vector<std::string>& input_names() const { return input_names_; }
  const std::string& provider() const { return provider_; }
  const std::string& fallback_reason() const { return fallback_reason_; }
  // "cuda-pinned" when batch buffers come from ONNX Runtime's pinned allocator, else "heap" (with why, on a GPU).
  const std::string& host_memory() const { return host_memory_; }
  BatchStats batch_stats() const;

 private:
  // One runner's batch and its reusable buffers; a runner takes one from the pool for as long as it runs.
  struct RunnerState {
    BatchBuffers buffers;
    std::vector<BatchEntry> batch;
  };

  void Tokenize(Request& request) const;
  void Drain();
  void RunBatch(RunnerState& state);
  void ReleaseSession();  // with mutex_ held
  // End of one Process call: the last one after Close releases the session and sends the null completion.
  void Leave();
  void Fail(const std::shared_ptr<Request>& request, const std::string& code, const std::string& message);
  void Finish(const std::shared_ptr<Request>& request);
  void Notify(Completion* completion);

  const std::shared_ptr<const Tokenizer> tokenizer_;
  const int64_t num_labels_;
  const bool has_token_type_ids_;
  const std::vector<std::string> input_names_;
  const std::string provider_;
  const std::string fallback_reason_;
  const std::string host_memory_;

  std::mutex mutex_;
  std::condition_variable idle_;
  BatchQueue queue_;
  size_t queued_pairs_ = 0;
  mutable std::mutex stats_mutex_;
  BatchStats stats_;
  bool closed_ = false;
  size_t runners_ = 0;  // threads running batches, at most max_inflight_batches
  // Admitted calls whose Process has not returned: each may still notify, so the channel outlives them all.
  size_t in_flight_ = 0;
  std::unique_ptr<Session> session_;
  // Declared after session_ so they are freed first: on a GPU their memory comes from the session's allocator.
  std::vector<std::unique_ptr<RunnerState>> idle_states_;

  std::mutex notify_mutex_;
  Notifier notifier_;
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> stopping_{false};  // read without the lock by tokenizing threads
};

}  // namespace crossrank
