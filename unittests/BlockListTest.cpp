#include "kiln/Utils/BlockList.h"
#include <gtest/gtest.h>
