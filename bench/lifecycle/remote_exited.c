/* Remote frees into the heap of an exited thread, for callgrind: a thread
 * allocates N blocks of 64 B and exits, the main thread frees them; 4 rounds.
 * Run at two N and divide the difference.
 *   remote_exited N */
#include <pthread.h>
#include <stdlib.h>
static void **b;
static long n;
static void *alloc(void *a) {
  (void)a;
  for (long i = 0; i < n; i++)
    b[i] = malloc(64);
  return NULL;
}
int main(int argc, char **argv) {
  (void)argc;
  n = atol(argv[1]);
  b = malloc(n * sizeof *b);
  void *keep = malloc(64);
  for (int r = 0; r < 4; r++) {
    pthread_t t;
    pthread_create(&t, NULL, alloc, NULL);
    pthread_join(t, NULL);
    for (long i = 0; i < n; i++)
      free(b[i]);
  }
  free(keep);
  return 0;
}
