/* Freed twice by another thread, then its owner allocates (collects). */
#include <pthread.h>
#include "tests/misuse/misuse.h"
static void *p;
static void *other(void *arg) {
  (void)arg;
  free(p);
  free(opaque(p));
  return NULL;
}
int main(void) {
  void *keep[8];
  for (int i = 0; i < 8; i++)
    keep[i] = malloc(64);
  p = announce(malloc(64));
  pthread_t t;
  pthread_create(&t, NULL, other, NULL);
  pthread_join(t, NULL);
  void *a[4096];
  for (int i = 0; i < 4096; i++)
    a[i] = malloc(64);
  for (int i = 0; i < 4096; i++)
    free(a[i]);
  for (int i = 0; i < 8; i++)
    free(keep[i]);
  return DONE();
}
