#include "rulebook/loader.h"
