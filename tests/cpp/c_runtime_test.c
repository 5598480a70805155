/* libhakmem.so preloaded under a C program: no C++ runtime is loaded for its
 * operator new (new_fail.cc refers to it weakly), and operator new, called
 * anyway, gives the answers new_delete.c promises when memory runs out:
 * nothrow new returns NULL, new aborts naming why (it cannot throw). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include "tests/check.h"
#include "tests/child_abort.h"

static const size_t huge = SIZE_MAX / 2;
static void *(*new_plain)(size_t); /* operator new(size_t), found with dlsym */

static void new_huge(void *arg) {
  (void)arg;
  new_plain(huge);
}

static int mapped(const char *name) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f != NULL);
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, f))
    found |= strstr(line, name) != NULL;
  fclose(f);
  return found;
}

int main(void) {
  CHECK(mapped("libhakmem"));
  CHECK(!mapped("libstdc++"));
  CHECK(!mapped("libgcc_s"));

  new_plain = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "_Znwm");
  void *(*new_nothrow)(size_t, const void *) =
      (void *(*)(size_t, const void *))dlsym(RTLD_DEFAULT, "_ZnwmRKSt9nothrow_t");
  void (*delete_plain)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "_ZdlPv");
  CHECK(new_plain && new_nothrow && delete_plain);
  void *p = new_plain(100);
  CHECK(p != NULL);
  delete_plain(p);
  CHECK(new_nothrow(huge, NULL) == NULL);

  char msg[512];
  CHECK(child_aborts(new_huge, NULL, msg, sizeof msg));
  CHECK(strstr(msg, "operator new out of memory with no C++ runtime") != NULL);
  puts("c_runtime_test: ok");
  return 0;
}
