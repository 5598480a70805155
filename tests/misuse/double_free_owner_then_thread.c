/* Freed by its owner, then again by another thread. */
#include <pthread.h>
#include "tests/misuse/misuse.h"
static void *p;
static void *other(void *arg) {
  (void)arg;
  free(opaque(p));
  return NULL;
}
int main(void) {
  p = announce(malloc(64));
  free(p);
  pthread_t t;
  pthread_create(&t, NULL, other, NULL);
  pthread_join(t, NULL);
  void *a = malloc(64), *b = malloc(64);
  if (a == b)
    fprintf(stderr, "the same block twice\n");
  return DONE();
}
