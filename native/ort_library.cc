// dlopen + ORT_API_MANUAL_INIT: the addon never links ONNX Runtime, so users can point at any compatible build.
#include "ort_library.h"

#include <memory>
#include <mutex>

#include "errors.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace crossrank {
namespace {

std::mutex g_mutex;
std::unique_ptr<OrtRuntimeInfo> g_info;
Ort::Env* g_env = nullptr;

using GetApiBaseFn = const OrtApiBase* (*)();

GetApiBaseFn OpenLibrary(const std::string& path) {
#ifdef _WIN32
  int wlen = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
  std::wstring wpath(static_cast<size_t>(wlen > 0 ? wlen : 1), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, wpath.data(), wlen);
  HMODULE handle = LoadLibraryExW(wpath.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (!handle) {
    throw Error(code::kOrtLoad, "Cannot load the ONNX Runtime library at " + path + " (Windows error " +
                                    std::to_string(GetLastError()) + ")");
  }
  auto fn = reinterpret_cast<GetApiBaseFn>(GetProcAddress(handle, "OrtGetApiBase"));
#else
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw Error(code::kOrtLoad, "Cannot load the ONNX Runtime library at " + path + ": " + (why ? why : "unknown error"));
  }
  auto fn = reinterpret_cast<GetApiBaseFn>(dlsym(handle, "OrtGetApiBase"));
#endif
  if (!fn) {
    throw Error(code::kOrtLoad, "The library at " + path + " does not export OrtGetApiBase; it is not ONNX Runtime");
  }
  return fn;
}

}  // namespace

const OrtRuntimeInfo& LoadOrtRuntime(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_info) {
    if (g_info->path != path) {
      throw Error(code::kOrtConflict, "ONNX Runtime is already loaded from " + g_info->path +
                                          "; one process can use only one ONNX Runtime library (requested " + path + ")");
    }
    return *g_info;
  }
  const OrtApiBase* base = OpenLibrary(path)();
  std::string version = base->GetVersionString();
  const OrtApi* api = base->GetApi(ORT_API_VERSION);
  if (!api) {
    throw Error(code::kOrtVersion, "The ONNX Runtime library at " + path + " is version " + version +
                                       "; crossrank needs 1." + std::to_string(ORT_API_VERSION) +
                                       " or newer. Update onnxruntime-node or point ortLibraryPath at a newer build.");
  }
  Ort::InitApi(api);
  // Every failure reaches the caller as a coded error; ORT's own log would only repeat it on stderr.
  g_env = new Ort::Env(ORT_LOGGING_LEVEL_FATAL, "crossrank");
  g_info = std::make_unique<OrtRuntimeInfo>(OrtRuntimeInfo{path, version, ORT_API_VERSION});
  return *g_info;
}

std::string LoadedRuntimePath() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_info ? g_info->path : std::string();
}

Ort::Env& OrtEnvironment() { return *g_env; }

}  // namespace crossrank
