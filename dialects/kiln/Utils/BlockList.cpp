#include "kiln/Utils/BlockList.h"
