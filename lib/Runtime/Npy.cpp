//===- Npy.cpp - .npy reading and writing, Kiln's dtype convention ---------===//
#include "kiln/Runtime/Npy.h"
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace kiln::npy;

static const char kMagic[] = "\x93NUMPY";

size_t Array::itemsize() const {
  return descr.size() >= 3 ? std::atoi(descr.c_str() + 2) : 0;
}

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Finds `'key':` in the header dict and returns the text after it.
static const char *findKey(const std::string &h, const char *key) {
  size_t at = h.find(std::string("'") + key + "'");
  if (at == std::string::npos)
    return nullptr;
  at = h.find(':', at);
  if (at == std::string::npos)
    return nullptr;
  const char *p = h.c_str() + at + 1;
  while (*p == ' ')
    ++p;
  return p;
}

bool kiln::npy::parse(const std::vector<uint8_t> &b, Array &out,
                      std::string &error) {
  if (b.size() < 10 || std::memcmp(b.data(), kMagic, 6) != 0) {
    error = b.size() < 10 && !b.empty() && b[0] == 0x93
                ? "truncated .npy header"
                : "not a .npy file (bad magic)";
    return false;
  }
  int major = b[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = b[8] | (b[9] << 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) {
      error = "truncated .npy header";
      return false;
    }
    hlen = b[8] | (b[9] << 8) | (size_t(b[10]) << 16) | (size_t(b[11]) << 24);
    hstart = 12;
  } else {
    error = "unsupported .npy format version " + std::to_string(major);
    return false;
  }
  if (b.size() < hstart + hlen) {
    error = "truncated .npy header";
    return false;
  }
  std::string h(b.begin() + hstart, b.begin() + hstart + hlen);
  const char *d = findKey(h, "descr"), *f = findKey(h, "fortran_order"),
             *s = findKey(h, "shape");
  if (!d || *d != '\'' || !f || !s || *s != '(') {
    error = "malformed .npy header: " + h;
    return false;
  }
  const char *dend = std::strchr(d + 1, '\'');
  std::string descr(d + 1, dend ? dend : d + 1);
  if (!std::strncmp(f, "True", 4)) {
    error = "Fortran-order .npy arrays are not supported (save C order)";
    return false;
  }
  if (descr.size() < 3 || !std::strchr("<>|=", descr[0]) ||
      !std::strchr("fiub", descr[1])) {
    error = "unsupported .npy dtype '" + descr + "'";
    return false;
  }
  if (descr[1] == 'b' && descr != "|b1") {
    error = "unsupported .npy dtype '" + descr + "'";
    return false;
  }
  int size = std::atoi(descr.c_str() + 2);
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    error = "unsupported .npy dtype '" + descr + "'";
    return false;
  }
  if (size > 1 && descr[0] == '>') {
    error = "big-endian .npy dtype '" + descr + "' is not supported";
    return false;
  }
  descr[0] = size == 1 ? '|' : '<';
  out.descr = descr;
  out.shape.clear();
  for (const char *p = s + 1; *p && *p != ')';) {
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')')
      break;
    char *e = nullptr;
    errno = 0;
    long long v = std::strtoll(p, &e, 10);
    if (e == p || v < 0 || errno) {
      error = "malformed .npy shape in header: " + h;
      return false;
    }
    out.shape.push_back(v);
    p = e;
  }
  size_t want = size_t(out.numElements()) * size, have = b.size() - hstart - hlen;
  if (have < want) {
    error = "truncated .npy data: the header promises " + std::to_string(want) +
            " bytes, the file holds " + std::to_string(have);
    return false;
  }
  out.data.assign(b.begin() + hstart + hlen, b.begin() + hstart + hlen + want);
  return true;
}

bool kiln::npy::read(const std::string &path, Array &out, std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  if (!parse(bytes, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

std::vector<uint8_t> kiln::npy::serialize(const Array &a) {
  std::string h = "{'descr': '" + a.descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < a.shape.size(); ++i)
    h += (i ? ", " : "") + std::to_string(a.shape[i]);
  h += a.shape.size() == 1 ? ",), }" : "), }";
  while ((10 + h.size() + 1) % 64)
    h += ' ';
  h += '\n';
  std::vector<uint8_t> b(kMagic, kMagic + 6);
  b.push_back(1);
  b.push_back(0);
  b.push_back(h.size() & 0xFF);
  b.push_back(h.size() >> 8);
  b.insert(b.end(), h.begin(), h.end());
  b.insert(b.end(), a.data.begin(), a.data.end());
  return b;
}

bool kiln::npy::write(const std::string &path, const Array &a,
                      std::string &error) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> b = serialize(a);
  bool ok = std::fwrite(b.data(), 1, b.size(), f) == b.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok)
    error = path + ": write failed: " + std::strerror(errno);
  return ok;
}

const char *kiln::npy::descrFor(kiln_dtype t) {
  switch (t) {
  case KILN_F32: return "<f4";
  case KILN_F64: return "<f8";
  case KILN_F16: return "<f2";
  case KILN_BF16: return "<u2";
  case KILN_I64: return "<i8";
  case KILN_I32: return "<i4";
  case KILN_I16: return "<i2";
  case KILN_I8: case KILN_I4: return "|i1";
  case KILN_I1: return "|b1";
  default: return "|u1";
  }
}

bool kiln::npy::toTensorData(const Array &a, kiln_dtype dtype,
                             std::vector<uint8_t> &out, std::string &error) {
  if (a.descr != descrFor(dtype)) {
    error = std::string("dtype ") + a.descr + " does not hold " +
            kiln_dtype_name(dtype) + " (expected " + descrFor(dtype) + ")";
    return false;
  }
  int64_t n = a.numElements();
  if (kiln_dtype_bits(dtype) != 4) {
    out = a.data;
    return true;
  }
  out.assign((n + 1) / 2, 0);
  for (int64_t i = 0; i < n; ++i)
    out[i / 2] |= (a.data[i] & 0xF) << ((i % 2) * 4);
  return true;
}

Array kiln::npy::fromTensor(kiln_dtype dtype, const std::vector<int64_t> &shape,
                            const uint8_t *data) {
  Array a;
  a.descr = descrFor(dtype);
  a.shape = shape;
  int64_t n = a.numElements();
  if (kiln_dtype_bits(dtype) != 4) {
    a.data.assign(data, data + n * a.itemsize());
    return a;
  }
  a.data.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t nib = (data[i / 2] >> ((i % 2) * 4)) & 0xF;
    a.data[i] = dtype == KILN_I4 && (nib & 8) ? nib | 0xF0 : nib;
  }
  return a;
}

/// A minifloat with `e` exponent and `m` mantissa bits; `ieee` when the top
/// exponent means inf/NaN, else only all-ones is NaN (the FN formats).
static double minifloat(unsigned bits, int e, int m, bool ieee) {
  int bias = (1 << (e - 1)) - 1;
  unsigned sign = (bits >> (e + m)) & 1, exp = (bits >> m) & ((1u << e) - 1),
           man = bits & ((1u << m) - 1);
  double s = sign ? -1.0 : 1.0;
  if (ieee && exp == (1u << e) - 1)
    return man ? NAN : s * INFINITY;
  if (!ieee && e + m == 7 && exp == (1u << e) - 1 && man == (1u << m) - 1)
    return NAN; // f8E4M3FN
  if (exp == 0)
    return s * std::ldexp(double(man), 1 - bias - m);
  return s * std::ldexp(double(man | (1u << m)), int(exp) - bias - m);
}

double kiln::npy::elementAsDouble(const Array &a, kiln_dtype t, int64_t i) {
  const uint8_t *p = a.data.data() + i * a.itemsize();
  auto load = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (t) {
  case KILN_F32: return load(float());
  case KILN_F64: return load(double());
  case KILN_F16: return minifloat(load(uint16_t()), 5, 10, true);
  case KILN_BF16: {
    uint32_t w = uint32_t(load(uint16_t())) << 16;
    float f;
    std::memcpy(&f, &w, 4);
    return f;
  }
  case KILN_I64: return double(load(int64_t()));
  case KILN_I32: return load(int32_t());
  case KILN_I16: return load(int16_t());
  case KILN_I8: case KILN_I4: return int8_t(*p);
  case KILN_F8E4M3FN: return minifloat(*p, 4, 3, false);
  case KILN_F8E5M2: return minifloat(*p, 5, 2, true);
  case KILN_F4E2M1FN: return minifloat(*p & 0xF, 2, 1, false);
  case KILN_F8E8M0FNU: return *p == 0xFF ? NAN : std::ldexp(1.0, int(*p) - 127);
  default: return *p;
  }
}
