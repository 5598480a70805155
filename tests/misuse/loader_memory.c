/* Not a misuse under hakmem: the dynamic loader's early blocks (the main link map,
 * libc's name, the initial dtv) reach free(); hakmem leaks them. Exits 0. */
#define _GNU_SOURCE
#include <link.h>
#include "tests/misuse/misuse.h"
extern struct r_debug _r_debug;
int main(void) {
  struct link_map *m = _r_debug.r_map;
  void **tcb = __builtin_thread_pointer();
  free(m);
  for (; m; m = m->l_next)
    if (strstr(m->l_name, "libc.so"))
      free(m->l_name);
  free(tcb[1]);
  return 0;
}
