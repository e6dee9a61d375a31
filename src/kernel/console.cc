#include "kernel/console.h"

#include <cstdarg>
#include <cstdint>

#include "kernel/arch.h"

namespace mayfly::kernel {

LogLevel g_log_level = LogLevel::kInfo;

namespace {

constexpr uint16_t kCom1 = 0x3F8;

void putc_raw(char c) {
  // Bounded wait for the transmit holding register (a missing UART must not hang us).
  for (int i = 0; i < 100000 && !(inb(kCom1 + 5) & 0x20); ++i) {
  }
  outb(kCom1, uint8_t(c));
}

void putc(char c) {
  if (c == '\n') putc_raw('\r');
  putc_raw(c);
}

void put_unsigned(unsigned long long v, unsigned base, bool upper, int width, char pad) {
  char buf[32];
  int n = 0;
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    buf[n++] = digits[v % base];
    v /= base;
  } while (v != 0);
  while (n < width && n < 32) buf[n++] = pad;
  while (n > 0) putc(buf[--n]);
}

}  // namespace

void console_init() {
  outb(kCom1 + 1, 0x00);  // no UART interrupts
  outb(kCom1 + 3, 0x80);  // DLAB
  outb(kCom1 + 0, 0x01);  // divisor 1: 115200 baud
  outb(kCom1 + 1, 0x00);
  outb(kCom1 + 3, 0x03);  // 8N1
  outb(kCom1 + 2, 0xC7);  // FIFO on, cleared
  outb(kCom1 + 4, 0x03);  // DTR, RTS
}

void console_write(std::string_view s) {
  for (char c : s) putc(c);
}

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

void kvprintf(const char* fmt, va_list ap) {
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      putc(*p);
      continue;
    }
    ++p;
    char pad = ' ';
    int width = 0;
    int precision = -1;
    if (*p == '0') {
      pad = '0';
      ++p;
    }
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    if (*p == '.' && p[1] == '*') {
      precision = va_arg(ap, int);
      p += 2;
    }
    int longs = 0;
    while (*p == 'l') {
      ++longs;
      ++p;
    }
    if (*p == 'z') {
      longs = 1;
      ++p;
    }
    switch (*p) {
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (!s) s = "(null)";
        for (int i = 0; s[i] && (precision < 0 || i < precision); ++i) putc(s[i]);
        break;
      }
      case 'c':
        putc(char(va_arg(ap, int)));
        break;
      case 'd':
      case 'i': {
        long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
        if (v < 0) {
          putc('-');
          put_unsigned(0ULL - static_cast<unsigned long long>(v), 10, false, width, pad);
        } else {
          put_unsigned(static_cast<unsigned long long>(v), 10, false, width, pad);
        }
        break;
      }
      case 'u':
        put_unsigned(longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10, false,
                     width, pad);
        break;
      case 'x':
      case 'X':
        put_unsigned(longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, *p == 'X',
                     width, pad);
        break;
      case 'p':
        putc('0');
        putc('x');
        put_unsigned(reinterpret_cast<uintptr_t>(va_arg(ap, void*)), 16, false, 16, '0');
        break;
      case '%':
        putc('%');
        break;
      case '\0':
        --p;
        break;
      default:
        putc('%');
        putc(*p);
    }
  }
}

}  // namespace mayfly::kernel
