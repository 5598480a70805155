/* Registry: kinds are set and cleared per 2 MiB chunk, foreign addresses read
 * as foreign, and wild pointers stay inside the table. */
#include <stdint.h>
#include <stdlib.h>

#include "hakmem/core/registry.h"
#include "tests/check.h"

int main(void) {
  char *base = (char *)((uintptr_t)0x7f1234000000);
  CHECK_EQ(hk_registry_kind(base), HK_REG_FOREIGN);
  hk_registry_set(base, 3 * HK_SS_SIZE, HK_REG_LARGE);
  CHECK_EQ(hk_registry_kind(base), HK_REG_LARGE);
  CHECK_EQ(hk_registry_kind(base + 3 * HK_SS_SIZE - 1), HK_REG_LARGE);
  CHECK_EQ(hk_registry_kind(base + 3 * HK_SS_SIZE), HK_REG_FOREIGN);
  CHECK_EQ(hk_registry_kind(base - 1), HK_REG_FOREIGN);
  hk_registry_set(base, 3 * HK_SS_SIZE, HK_REG_FOREIGN);
  CHECK_EQ(hk_registry_kind(base + HK_SS_SIZE), HK_REG_FOREIGN);
  int local;
  void *heap = malloc(1);
  CHECK_EQ(hk_registry_kind(&local), HK_REG_FOREIGN);
  CHECK_EQ(hk_registry_kind(heap), HK_REG_FOREIGN);
  CHECK_EQ(hk_registry_kind(NULL), HK_REG_FOREIGN);
  (void)hk_registry_kind((void *)~(uintptr_t)0); /* masked: no out-of-bounds read */
  free(heap);
  return 0;
}
