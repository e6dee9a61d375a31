// The few C and C++ runtime functions the freestanding code and the compiler expect. The
// kernel has no heap: operator new/delete exist only because virtual destructors name
// them, and panic if ever called.
#include <cstddef>
#include <cstdint>

#include "kernel/panic.h"

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
  void* ret = dst;
  asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n)::"memory");
  return ret;
}

void* memset(void* dst, int c, size_t n) {
  void* ret = dst;
  asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
  return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];  // overlapping, destination above: copy backwards
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

void* memchr(const void* s, int c, size_t n) {
  const auto* p = static_cast<const unsigned char*>(s);
  for (size_t i = 0; i < n; ++i)
    if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
  return nullptr;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

[[noreturn]] void abort() {
  mayfly::kernel::panic("abort() called");
}

// Static objects' destructors never run in a kernel that never exits.
int __cxa_atexit(void (*)(void*), void*, void*) {
  return 0;
}
void* __dso_handle = nullptr;

[[noreturn]] void __cxa_pure_virtual() {
  mayfly::kernel::panic("pure virtual function called");
}

// Function-local statics: one CPU, no threads; the guard byte says "done".
int __cxa_guard_acquire(uint64_t* guard) {
  return *reinterpret_cast<uint8_t*>(guard) == 0;
}
void __cxa_guard_release(uint64_t* guard) {
  *reinterpret_cast<uint8_t*>(guard) = 1;
}
void __cxa_guard_abort(uint64_t*) {}

}  // extern "C"

void operator delete(void*) noexcept {
  mayfly::kernel::panic("operator delete called");
}
void operator delete(void*, size_t) noexcept {
  mayfly::kernel::panic("operator delete called");
}

// libstdc++'s header-only pieces (string_view::substr, array::at) name these on bad
// indices; with no exceptions they end in a panic.
namespace std {
[[noreturn]] void __throw_out_of_range_fmt(const char* fmt, ...) {
  mayfly::kernel::panic("libstdc++: out of range (%s)", fmt);
}
}  // namespace std
