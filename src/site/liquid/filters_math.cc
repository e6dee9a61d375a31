// abs, at_least, at_most, ceil, floor, divided_by, minus, modulo, plus, round, times.
//
// Ruby's Liquid computes with BigDecimal when a float is involved, so 0.1 + 0.2 prints 0.3.
// We compute with doubles and round the result to the decimal places exact decimal arithmetic
// would produce.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "site/liquid/filters_util.h"

namespace mayfly::site::liquid {

namespace {

using detail::arg;
using detail::to_number;

int decimals(const Value& v) {
  if (!v.is_float()) return 0;
  std::string s = format_float(v.as_float());
  auto e = s.find('e');
  int exp = 0;
  if (e != std::string::npos) {
    exp = std::atoi(s.c_str() + e + 1);
    s.resize(e);
  }
  auto dot = s.find('.');
  int d = dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
  if (d == 1 && s.back() == '0') d = 0;
  d -= exp;
  return d < 0 ? 0 : d;
}

double round_to(double x, int places) {
  if (places > 15 || !std::isfinite(x)) return x;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, x);
  return std::strtod(buf, nullptr);
}

enum class Op { Add, Sub, Mul };

Value arithmetic(const Value& in, const Value& operand, Op op) {
  Value a = to_number(in), b = to_number(operand);
  if (a.is_int() && b.is_int()) {
    // Ruby integers do not overflow; past int64 we continue in floating point.
    std::int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case Op::Add:
        overflow = __builtin_add_overflow(a.as_int(), b.as_int(), &r);
        break;
      case Op::Sub:
        overflow = __builtin_sub_overflow(a.as_int(), b.as_int(), &r);
        break;
      case Op::Mul:
        overflow = __builtin_mul_overflow(a.as_int(), b.as_int(), &r);
        break;
    }
    if (!overflow) return r;
  }
  double x = a.number(), y = b.number();
  switch (op) {
    case Op::Add:
      return round_to(x + y, std::max(decimals(a), decimals(b)));
    case Op::Sub:
      return round_to(x - y, std::max(decimals(a), decimals(b)));
    case Op::Mul:
      return round_to(x * y, decimals(a) + decimals(b));
  }
  return {};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Value divided_by(const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
  Value a = to_number(in), b = to_number(arg(args, 0));
  if (b.number() == 0) throw RenderError("divided by 0");
  if (a.is_int() && b.is_int() && !(b.as_int() == -1 && a.as_int() == INT64_MIN)) {
    return floor_div(a.as_int(), b.as_int());
  }
  return a.number() / b.number();
}

Value modulo(const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
  Value a = to_number(in), b = to_number(arg(args, 0));
  if (b.number() == 0) throw RenderError("divided by 0");
  if (a.is_int() && b.is_int()) {
    if (b.as_int() == -1) return std::int64_t{0};
    std::int64_t r = a.as_int() % b.as_int();
    if (r != 0 && ((r < 0) != (b.as_int() < 0))) r += b.as_int();
    return r;
  }
  double x = a.number(), y = b.number();
  double r = std::fmod(x, y);
  if (r != 0 && ((r < 0) != (y < 0))) r += y;
  return round_to(r, std::max(decimals(a), decimals(b)));
}

// Rounds half away from zero, as BigDecimal does.
double round_half_up(double x, std::int64_t places) {
  double m = std::pow(10.0, static_cast<double>(places));
  double r = std::round(round_to(x * m, 6)) / m;
  return round_to(r, static_cast<int>(std::max<std::int64_t>(places, 0)));
}

Value round(const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
  Value a = to_number(in);
  Value nv = to_number(arg(args, 0));
  std::int64_t n =
      std::clamp<std::int64_t>(nv.is_int() ? nv.as_int() : to_int64(nv.number()), -20, 20);
  if (a.is_int()) {
    if (n >= 0) return a;
    double m = std::pow(10.0, static_cast<double>(-n));
    return to_int64(std::round(static_cast<double>(a.as_int()) / m) * m);
  }
  if (n <= 0) return to_int64(round_half_up(a.as_float(), n));
  return round_half_up(a.as_float(), n);
}

Value number_fn(const Value& v, double (*f)(double)) {
  Value a = to_number(v);
  if (a.is_int()) return a;
  return to_int64(f(a.as_float()));
}

}  // namespace

void register_math_filters(Environment& env) {
  env.register_filter(
      "abs",
      [](const Value& in, std::span<const Value>, const KwArgs&, Context&) -> Value {
        Value a = to_number(in);
        if (a.is_int() && a.as_int() != INT64_MIN) return a.as_int() < 0 ? -a.as_int() : a.as_int();
        if (a.is_int()) return std::fabs(static_cast<double>(a.as_int()));
        return std::fabs(a.as_float());
      },
      0, 0);
  env.register_filter(
      "at_least",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) -> Value {
        Value a = to_number(in), b = to_number(arg(args, 0));
        return a.number() < b.number() ? b : a;
      },
      1, 1);
  env.register_filter(
      "at_most",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) -> Value {
        Value a = to_number(in), b = to_number(arg(args, 0));
        return a.number() > b.number() ? b : a;
      },
      1, 1);
  env.register_filter(
      "ceil",
      [](const Value& in, std::span<const Value>, const KwArgs&, Context&) -> Value {
        return number_fn(in, [](double d) { return std::ceil(d); });
      },
      0, 0);
  env.register_filter(
      "floor",
      [](const Value& in, std::span<const Value>, const KwArgs&, Context&) -> Value {
        return number_fn(in, [](double d) { return std::floor(d); });
      },
      0, 0);
  env.register_filter("divided_by", divided_by, 1, 1);
  env.register_filter("modulo", modulo, 1, 1);
  env.register_filter("round", round, 0, 1);
  env.register_filter(
      "plus",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
        return arithmetic(in, arg(args, 0), Op::Add);
      },
      1, 1);
  env.register_filter(
      "minus",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
        return arithmetic(in, arg(args, 0), Op::Sub);
      },
      1, 1);
  env.register_filter(
      "times",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) {
        return arithmetic(in, arg(args, 0), Op::Mul);
      },
      1, 1);
}

}  // namespace mayfly::site::liquid
