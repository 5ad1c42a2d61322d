#pragma once
namespace clinic_audit {
// From the CMake project version (CMakeLists.txt).
inline constexpr const char* kAgentVersion = CA_VERSION;
}  // namespace clinic_audit
