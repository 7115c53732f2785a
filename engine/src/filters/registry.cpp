#include "filters/filter.h"
