// Whether this test binary is built with a sanitizer (ASan+UBSan, TSan):
// their allocators and shadow memory make RSS figures meaningless, and tests
// that measure memory or push the process to its limits say so and skip.
// GCC defines __SANITIZE_*__; clang answers __has_feature.
#pragma once

namespace clinic_audit::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace clinic_audit::test
