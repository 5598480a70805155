/* Remote frees into a live heap, for callgrind: a live owner thread allocates
 * N blocks of 64 B, the main thread frees them, the owner's next refills
 * collect them; 4 rounds. Run at two N and divide the difference.
 *   remote_live N */
#include <pthread.h>
#include <stdlib.h>
static void **b;
static long n;
static pthread_barrier_t go, back;
static void *owner(void *a) {
  (void)a;
  for (int r = 0; r < 4; r++) {
    for (long i = 0; i < n; i++)
      b[i] = malloc(64);
    pthread_barrier_wait(&go);   /* main frees them (remote) */
    pthread_barrier_wait(&back); /* our next refills collect them */
  }
  return NULL;
}
int main(int argc, char **argv) {
  (void)argc;
  n = atol(argv[1]);
  b = malloc(n * sizeof *b);
  pthread_barrier_init(&go, NULL, 2);
  pthread_barrier_init(&back, NULL, 2);
  pthread_t t;
  pthread_create(&t, NULL, owner, NULL);
  for (int r = 0; r < 4; r++) {
    pthread_barrier_wait(&go);
    for (long i = 0; i < n; i++)
      free(b[i]);
    pthread_barrier_wait(&back);
  }
  pthread_join(t, NULL);
  return 0;
}
