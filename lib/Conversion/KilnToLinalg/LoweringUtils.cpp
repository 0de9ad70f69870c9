#include "LoweringUtils.h"
