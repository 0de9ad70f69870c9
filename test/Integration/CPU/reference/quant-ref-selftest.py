# RUN: %python %s
# Self-check of the quantized-format numpy reference (harness/quant_ref.py)
# against the OCP FP8 / MX tables and bitsandbytes' dynamic map.
import numpy as np
from quant_ref import (FORMATS, decode, dynamic_map, encode, mx_scale_codes,
                       ncodes)

assert decode("f8E4M3FN", [0x7E])[0] == 448
assert decode("f8E5M2", [0x7B])[0] == 57344
assert decode("f4E2M1FN", [7])[0] == 6
assert decode("f8E4M3FN", [1])[0] == 2.0 ** -9
assert decode("f8E5M2", [1])[0] == 2.0 ** -16
assert list(decode("f4E2M1FN", range(8))) == [0, .5, 1, 1.5, 2, 3, 4, 6]
for fmt in FORMATS:
    c = np.arange(ncodes(fmt))
    v = decode(fmt, c)
    ok = np.isfinite(v)
    assert (encode(fmt, v[ok]) == c[ok]).all(), fmt
assert encode("f4E2M1FN", [5.0, -5.0, 100.0])[0] == 6
s = dynamic_map(True)
assert s[0] == np.float32(-0.99296875) and s[127] == 0 and s[255] == 1
assert s[128] == np.float32(5.499999815583578e-07)
assert (np.diff(dynamic_map(False)) > 0).all()
assert mx_scale_codes([6.0], "f4E2M1FN")[0] == 127
print("quant_ref: ok")
