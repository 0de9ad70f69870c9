#include "kiln/Utils/QuantFormats.h"
#include <gtest/gtest.h>
TEST(QuantFormats, Placeholder) { SUCCEED(); }
