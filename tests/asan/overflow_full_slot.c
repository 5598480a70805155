/* A write one byte past a request that fills its slot: the byte is the next
 * block's header, in the same 8-byte granule as the request's end. With that
 * next block live, ASan names the report "unknown-crash" (it classifies a
 * partly addressable granule by the shadow byte after it). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p[8];
  for (int i = 0; i < 8; i++)
    p[i] = hak_malloc(31); /* the whole 31-byte slot of the 32-byte class */
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      if (p[j] == p[i] + 32)
        return misuse_write(p[i] + 31);
  fprintf(stderr, "no two adjacent blocks\n");
  return 1;
}
