#include "sources/builtin/builtin.h"
