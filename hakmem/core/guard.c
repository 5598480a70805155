#include "hakmem/core/guard.h"

_Atomic long hk_guards_live;
