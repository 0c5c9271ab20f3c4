// Runner loop: whichever threadpool thread queues work while no runner is active becomes the runner.
#include "engine.h"

#include <algorithm>
#include <cmath>

#include "errors.h"

namespace crossrank {
namespace {

void Activate(const float* logits, float* out, int64_t labels, Activation activation) {
  switch (activation) {
    case Activation::kIdentity:
      std::copy(logits, logits + labels, out);
      break;
    case Activation::kSigmoid:
      for (int64_t i = 0; i < labels; ++i) out[i] = 1.0f / (1.0f + std::exp(-logits[i]));
      break;
    case Activation::kSoftmax: {
      const float peak = *std::max_element(logits, logits + labels);
      float sum = 0.0f;
      for (int64_t i = 0; i < labels; ++i) sum += out[i] = std::exp(logits[i] - peak);
      for (int64_t i = 0; i < labels; ++i) out[i] /= sum;
      break;
    }
  }
}

}  // namespace

Engine::Engine(std::shared_ptr<const Tokenizer> tokenizer, std::unique_ptr<Session> session, const BatchLimits& limits)
    : tokenizer_(std::move(tokenizer)),
      num_labels_(session->num_labels()),
      has_token_type_ids_(session->has_token_type_ids()),
      input_names_(session->input_names()),
      provider_(session->provider()),
      fallback_reason_(session->fallback_reason()),
      host_memory_(session->host_allocator() != nullptr ? "cuda-pinned"
                   : session->pinned_error().empty()    ? "heap"
                                                        : "heap (no pinned allocator: " + session->pinned_error() + ")"),
      queue_(limits),
      session_(std::move(session)) {}

void Engine::SetNotifier(Notifier notifier) {
  std::lock_guard<std::mutex> lock(notify_mutex_);
  notifier_ = std::move(notifier);
}

void Engine::Admit(const Request& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) throw Error(code::kClosed, "The model is closed; load it again to score");
  const size_t limit = queue_.limits().max_queued_pairs;
  if (queued_pairs_ + request.count > limit) {
    throw Error(code::kQueueFull, "The model's queue is full: " + std::to_string(queued_pairs_) +
                                      " pairs are waiting and this call adds " + std::to_string(request.count) +
                                      " (batching.maxQueuedPairs is " + std::to_string(limit) +
                                      "); retry later or raise maxQueuedPairs");
  }
  queued_pairs_ += request.count;
  ++in_flight_;
}

void Engine::Tokenize(Request& request) const {
  thread_local TextTokens first;
  thread_local TextTokens second;
  thread_local Encoding encoding;
  // Tokens collect in per-thread scratch, then move to the request in one exact allocation: no growth churn per call.
  thread_local std::vector<int32_t> ids;
  thread_local std::vector<int32_t> type_ids;
  ids.clear();
  type_ids.clear();
  request.offsets.assign(1, 0);
  request.offsets.reserve(request.count + 1);
  auto append = [&]() {
    ids.insert(ids.end(), encoding.ids.begin(), encoding.ids.end());
    type_ids.insert(type_ids.end(), encoding.type_ids.begin(), encoding.type_ids.end());
    request.offsets.push_back(static_cast<uint32_t>(ids.size()));
  };
  size_t pair = 0;
  try {
    if (request.is_rank) {
      tokenizer_->Tokenize(request.texts[0], request.max_length, first);
      for (; pair < request.count; ++pair) {
        if (request.settled.load(std::memory_order_relaxed) || stopping_.load(std::memory_order_relaxed)) return;
        tokenizer_->Tokenize(request.texts[pair + 1], request.max_length, second);
        tokenizer_->EncodePair(first, second, request.max_length, request.truncation, encoding);
        append();
      }
    } else {
      for (; pair < request.count; ++pair) {
        if (request.settled.load(std::memory_order_relaxed) || stopping_.load(std::memory_order_relaxed)) return;
        tokenizer_->Tokenize(request.texts[2 * pair], request.max_length, first);
        tokenizer_->Tokenize(request.texts[2 * pair + 1], request.max_length, second);
        tokenizer_->EncodePair(first, second, request.max_length, request.truncation, encoding);
        append();
      }
    }
  } catch (const Error& e) {
    throw Error(e.code(), (request.is_rank ? "document " : "pair ") + std::to_string(pair) + ": " + e.what());
  }
  request.ids.assign(ids.begin(), ids.end());
  request.type_ids.assign(type_ids.begin(), type_ids.end());
  // A huge call must not pin its peak in every threadpool thread's scratch.
  constexpr size_t kKeepScratch = size_t{1} << 20;
  if (ids.capacity() > kKeepScratch) {
    std::vector<int32_t>().swap(ids);
    std::vector<int32_t>().swap(type_ids);
  }
  // The texts are no longer needed; free them before the call waits in the queue.
  std::vector<std::string>().swap(request.texts);
}

void Engine::Process(const std::shared_ptr<Request>& request) {
  struct LeaveOnExit {
    Engine* engine;
    ~LeaveOnExit() { engine->Leave(); }
  } leave{this};
  request->remaining.store(request->count, std::memory_order_relaxed);
  request->results.assign(request->count * static_cast<size_t>(num_labels_), 0.0f);
  std::string failure_code;
  std::string failure;
  try {
    Tokenize(*request);
  } catch (const Error& e) {
    failure_code = e.code();
    failure = e.what();
  } catch (const std::exception& e) {
    failure_code = code::kTokenizer;
    failure = std::string("Tokenization failed: ") + e.what();
  }
  bool become_runner = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure.empty() && closed_) {
      failure_code = code::kClosed;
      failure = "The model was closed before this call ran";
    }
    // A request cut short (cancelled, or the model stopping) is never queued with missing pairs.
    const bool complete = request->offsets.size() == request->count + 1;
    const bool queued = failure.empty() && complete && request->count > 0 && !request->settled.load(std::memory_order_acquire);
    if (!queued) {
      queued_pairs_ -= request->count;
    } else {
      queue_.Push(request);
      become_runner = runners_ < queue_.limits().max_inflight_batches;
      if (become_runner) ++runners_;
    }
  }
  if (!failure.empty()) {
    Fail(request, failure_code, failure);
  } else if (request->count == 0) {
    Finish(request);
  } else if (become_runner) {
    Drain();
  }
}

void Engine::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::unique_ptr<RunnerState> state;
  if (idle_states_.empty()) {
    state = std::make_unique<RunnerState>();
    state->buffers.UseAllocator(session_->host_allocator());
  } else {
    state = std::move(idle_states_.back());
    idle_states_.pop_back();
  }
  while (!closed_ && !queue_.empty()) {
    queued_pairs_ -= queue_.Pop(state->batch);
    if (state->batch.empty()) continue;
    lock.unlock();
    RunBatch(*state);
    state->batch.clear();
    lock.lock();
  }
  idle_states_.push_back(std::move(state));
  --runners_;
  idle_.notify_all();
}

void Engine::Leave() {
  bool release;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_flight_;
    release = closed_ && in_flight_ == 0 && !shut_down();
    if (release) ReleaseSession();
  }
  if (release) Notify(new Completion{nullptr});
}

void Engine::RunBatch(RunnerState& state) {
  const std::vector<BatchEntry>& batch = state.batch;
  BatchBuffers& buffers = state.buffers;
  size_t columns = 0;
  size_t cap = 0;
  for (const BatchEntry& e : batch) {
    columns = std::max<size_t>(columns, e.length);
    cap = std::max(cap, e.request->max_length);
  }
  // Bucketed widths let GPU providers reuse engines and graphs; padding is masked, so scores do not change.
  const size_t bucket = queue_.limits().length_bucket;
  if (bucket > 1) columns = std::min(cap, (columns + bucket - 1) / bucket * bucket);
  buffers.Reset(static_cast<int64_t>(batch.size()), static_cast<int64_t>(columns), num_labels_, tokenizer_->pad_id());
  for (size_t row = 0; row < batch.size(); ++row) {
    const BatchEntry& e = batch[row];
    const uint32_t start = e.request->offsets[e.pair];
    buffers.SetRow(static_cast<int64_t>(row), e.request->ids.data() + start, e.request->type_ids.data() + start, e.length);
  }
  try {
    session_->Run(buffers);
  } catch (const Error& e) {
    for (const BatchEntry& entry : batch) Fail(entry.request, e.code(), e.what());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.batches += 1;
    stats_.pairs += batch.size();
    for (const BatchEntry& e : batch) stats_.tokens += e.length;
    stats_.padded_tokens += batch.size() * columns;
  }
  for (size_t row = 0; row < batch.size(); ++row) {
    const BatchEntry& e = batch[row];
    Activate(buffers.logits.data() + row * num_labels_, e.request->results.data() + e.pair * num_labels_, num_labels_,
             e.request->activation);
    if (e.request->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish(e.request);
  }
}

BatchStats Engine::batch_stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

bool Engine::Cancel(const std::shared_ptr<Request>& request) {
  if (request->settled.exchange(true, std::memory_order_acq_rel)) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  queued_pairs_ -= queue_.Remove(request.get());
  return true;
}

bool Engine::Close() {
  std::vector<std::shared_ptr<Request>> pending;
  bool released = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return in_flight_ == 0;
    closed_ = true;
    stopping_.store(true, std::memory_order_relaxed);
    queued_pairs_ -= queue_.size();
    pending = queue_.Clear();
    // A call admitted but not yet processed would notify through a released channel: wait for the last one.
    if (in_flight_ == 0) {
      ReleaseSession();
      released = true;
    }
  }
  for (const auto& request : pending) Fail(request, code::kClosed, "The model was closed before this call finished");
  return released;
}

void Engine::Shutdown() {
  shut_down_.store(true, std::memory_order_release);
  SetNotifier(nullptr);
  std::unique_lock<std::mutex> lock(mutex_);
  closed_ = true;
  stopping_.store(true, std::memory_order_relaxed);
  queued_pairs_ -= queue_.size();
  queue_.Clear();
  if (runners_ > 0 && session_) session_->Terminate();
  idle_.wait(lock, [this] { return runners_ == 0; });
  ReleaseSession();
}

void Engine::ReleaseSession() {
  idle_states_.clear();
  session_.reset();
}

void Engine::Fail(const std::shared_ptr<Request>& request, const std::string& code, const std::string& message) {
  if (request->settled.exchange(true, std::memory_order_acq_rel)) return;
  request->error_code = code;
  request->error_message = message;
  Notify(new Completion{request});
}

void Engine::Finish(const std::shared_ptr<Request>& request) {
  if (request->settled.exchange(true, std::memory_order_acq_rel)) return;
  Notify(new Completion{request});
}

void Engine::Notify(Completion* completion) {
  std::lock_guard<std::mutex> lock(notify_mutex_);
  if (notifier_) {
    notifier_(completion);
  } else {
    delete completion;
  }
}

}  // namespace crossrank
