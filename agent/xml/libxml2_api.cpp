#include "libxml2_api.hpp"

#include <dlfcn.h>

#include <atomic>
#include <fstream>
#include <mutex>

namespace clinic_audit::xml {
namespace {

template <class Pointer>
bool bind(void* library, const char* name, Pointer& out, std::string& missing) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    missing += missing.empty() ? name : std::string(", ") + name;
    return false;
  }
  out = reinterpret_cast<Pointer>(symbol);
  return true;
}

// Fills `api` from the library, or says what is missing.
std::string load(LibXml2Api& api) {
  // RTLD_NODELETE: pointers handed out stay valid for the process's life.
  void* library = dlopen(kLibXml2Soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (library == nullptr) {
    const char* reason = dlerror();
    return reason != nullptr ? reason : "dlopen failed";
  }
  std::string missing;
  bind(library, "xmlReadMemory", api.xmlReadMemory, missing);
  bind(library, "xmlFreeDoc", api.xmlFreeDoc, missing);
  bind(library, "xmlDocGetRootElement", api.xmlDocGetRootElement, missing);
  bind(library, "xmlNodeGetContent", api.xmlNodeGetContent, missing);
  bind(library, "xmlGetProp", api.xmlGetProp, missing);
  bind(library, "xmlGetNoNsProp", api.xmlGetNoNsProp, missing);
  bind(library, "xmlStrEqual", api.xmlStrEqual, missing);
  bind(library, "xmlGetLineNo", api.xmlGetLineNo, missing);
  bind(library, "xmlSetStructuredErrorFunc", api.xmlSetStructuredErrorFunc, missing);
  bind(library, "xmlSchemaNewParserCtxt", api.xmlSchemaNewParserCtxt, missing);
  bind(library, "xmlSchemaSetParserStructuredErrors", api.xmlSchemaSetParserStructuredErrors, missing);
  bind(library, "xmlSchemaParse", api.xmlSchemaParse, missing);
  bind(library, "xmlSchemaFreeParserCtxt", api.xmlSchemaFreeParserCtxt, missing);
  bind(library, "xmlSchemaFree", api.xmlSchemaFree, missing);
  bind(library, "xmlSchemaNewValidCtxt", api.xmlSchemaNewValidCtxt, missing);
  bind(library, "xmlSchemaSetValidStructuredErrors", api.xmlSchemaSetValidStructuredErrors, missing);
  bind(library, "xmlSchemaValidateDoc", api.xmlSchemaValidateDoc, missing);
  bind(library, "xmlSchemaFreeValidCtxt", api.xmlSchemaFreeValidCtxt, missing);
  bind(library, "xmlFree", api.xmlFree_variable, missing);
  if (!missing.empty()) return "missing symbols " + missing;
  return {};
}

}  // namespace

const LibXml2Api& libxml2(std::string_view needed_for) {
  // Once loaded, a call is one atomic load (the collector calls this for
  // every node of every XML report it reads).
  static std::atomic<const LibXml2Api*> ready{nullptr};
  if (const LibXml2Api* api = ready.load(std::memory_order_acquire)) return *api;
  static std::mutex mutex;
  static LibXml2Api api{};
  std::lock_guard lock(mutex);
  if (ready.load(std::memory_order_relaxed) == nullptr) {
    if (const std::string problem = load(api); !problem.empty()) {
      throw LibXml2Unavailable("cannot load " + std::string(kLibXml2Soname) + " (Debian package libxml2), needed for " +
                               std::string(needed_for) + ": " + problem);
    }
    ready.store(&api, std::memory_order_release);
  }
  return api;
}

bool libxml2_is_loaded() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("/libxml2.so") != std::string::npos) return true;
  }
  return false;
}

}  // namespace clinic_audit::xml
