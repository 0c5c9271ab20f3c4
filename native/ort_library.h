// Loads the ONNX Runtime shared library at run time and owns the process-wide Ort::Env.
#pragma once
#include <string>

#include "onnxruntime_cxx_api.h"

namespace crossrank {

struct OrtRuntimeInfo {
  std::string path;
  std::string version;
  int api_version;
};

// Loads the library at `path` once per process (thread-safe); later calls must name the same path.
// Throws crossrank::Error (ERR_ORT_LOAD, ERR_ORT_VERSION, ERR_ORT_CONFLICT).
const OrtRuntimeInfo& LoadOrtRuntime(const std::string& path);

// The path of the loaded library, or "" before LoadOrtRuntime succeeded.
std::string LoadedRuntimePath();

// The shared environment; valid after LoadOrtRuntime succeeded. Never destroyed: sessions may outlive module teardown.
Ort::Env& OrtEnvironment();

}  // namespace crossrank
