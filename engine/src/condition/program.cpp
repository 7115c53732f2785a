#include "condition/condition.h"
