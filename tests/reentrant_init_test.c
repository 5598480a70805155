/* Re-entrant init: malloc re-entered from inside hakmem's own initialisation
 * (as the dynamic loader or pthread may do) is served, and init completes,
 * once. Init runs from the library's constructor here, before main. */
#include <string.h>

#include "hakmem/box/core_init.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

static int hook_calls;
static void *from_hook;

void hak_test_init_hook(void) {
  hook_calls++;
  CHECK_EQ(atomic_load(&hk_init_state), HK_INIT_RUNNING);
  from_hook = hak_malloc(40);
  CHECK(from_hook != NULL);
  memset(from_hook, 7, 40);
  void *tmp = hak_calloc(3, 100);
  CHECK(tmp != NULL);
  hak_free(tmp);
}

int main(void) {
  /* The library's constructor ran init before main; the hook re-entered it. */
  CHECK_EQ(hook_calls, 1);
  CHECK_EQ(atomic_load(&hk_init_state), HK_INIT_DONE);
  void *p = hak_malloc(10);
  CHECK(p != NULL);
  CHECK_EQ(hook_calls, 1); /* once only */
  CHECK(from_hook != NULL && from_hook != p);
  for (int i = 0; i < 40; i++)
    CHECK_EQ(((unsigned char *)from_hook)[i], 7);
  hak_free(from_hook);
  hak_free(p);
  return 0;
}
