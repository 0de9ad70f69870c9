#include "kiln/Utils/QuantFormats.h"
