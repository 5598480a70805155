#include "hakmem/box/prewarm.h"

#include "hakmem/box/refill.h"
#include "hakmem/core/options.h"

void hk_prewarm(hk_tls_t *t) {
#if HAKMEM_PREWARM_TLS
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++) {
    uint32_t n = (uint32_t)hk_opt.prewarm_count;
    uint32_t room = t->room[c];
    if (n >= room)
      n = room - 1;
    if (n > 0 && hk_refill(t, c, n, n) == 0)
      return; /* out of memory: the first allocation will say so */
  }
#else
  (void)t;
#endif
}
