#define _GNU_SOURCE
#include "hakmem/core/loader_memory.h"

#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hakmem/core/os.h"

/* ld.so's list of loaded objects; weak, so a static program links without it. */
extern struct r_debug _r_debug __attribute__((weak));

#define MAX_ARENAS 16

static struct { uintptr_t start, end; } arenas[MAX_ARENAS];
static int n_arenas;
static _Atomic int found;  /* 0: not yet, 1: being found, 2: done */
static char maps[1 << 16]; /* /proc/self/maps, read once */

static void add_arena(uintptr_t start, uintptr_t end) {
  for (int i = 0; i < n_arenas; i++)
    if (arenas[i].start == start)
      return;
  if (n_arenas < MAX_ARENAS && start < end) {
    arenas[n_arenas].start = start;
    arenas[n_arenas].end = end;
    n_arenas++;
  }
}

/* The anonymous mapping of /proc/self/maps that holds a, as an arena. */
static void add_mapping_of(const void *a) {
  uintptr_t addr = (uintptr_t)a;
  for (char *line = maps; *line;) {
    char *eol = strchr(line, '\n');
    char *next = eol ? eol + 1 : line + strlen(line);
    char *rest;
    uintptr_t start = (uintptr_t)strtoull(line, &rest, 16);
    uintptr_t end = *rest == '-' ? (uintptr_t)strtoull(rest + 1, &rest, 16) : 0;
    if (addr >= start && addr < end) {
      /* "start-end perms offset dev inode [path]": anonymous if inode 0 and no path. */
      unsigned long inode = 0;
      int field = 0;
      char *f = rest;
      while (field < 4 && f < next) { /* skip perms, offset, dev */
        while (f < next && *f == ' ')
          f++;
        if (++field == 4)
          inode = strtoul(f, &f, 10);
        else
          while (f < next && *f != ' ')
            f++;
      }
      while (f < next && *f == ' ')
        f++;
      if (inode == 0 && (f >= next || *f == '\n'))
        add_arena(start, end);
      return;
    }
    line = next;
  }
}

/* ld.so's page tail: from the end of its writable segment to the page end.
 * ld.so is the object whose writable segment holds a link map (its own is
 * static there; every other one was allocated). */
static int find_ld_so_tail(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size, (void)arg;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
      continue;
    for (struct link_map *m = _r_debug.r_map; m; m = m->l_next)
      if ((uintptr_t)m >= start && (uintptr_t)m < end) {
        uintptr_t page = hk_os_page_size();
        add_arena(end, (end + page - 1) & ~(page - 1));
        return 1;
      }
  }
  return 0;
}

void hk_loader_memory_init(void) {
  int expected = 0;
  if (!&_r_debug || !atomic_compare_exchange_strong(&found, &expected, 1))
    return;
  dl_iterate_phdr(find_ld_so_tail, NULL);
  if (hk_os_read_file("/proc/self/maps", maps, sizeof maps)) {
    for (struct link_map *m = _r_debug.r_map; m; m = m->l_next) {
      add_mapping_of(m);
      if (m->l_name && m->l_name[0])
        add_mapping_of(m->l_name);
    }
    /* The initial thread's TCB and dtv, if this is the initial thread (the
     * constructor runs there; a later call may come from any thread, and its
     * TLS block is then hakmem's own or a thread stack). */
    void **tcb = __builtin_thread_pointer();
    if (getpid() == gettid()) {
      add_mapping_of(tcb);
      add_mapping_of(tcb[1]);
    }
  }
  atomic_store(&found, 2);
}

int hk_loader_memory(const void *p) {
  hk_loader_memory_init();
  if (atomic_load(&found) != 2)
    return 0;
  for (int i = 0; i < n_arenas; i++)
    if ((uintptr_t)p >= arenas[i].start && (uintptr_t)p < arenas[i].end)
      return 1;
  return 0;
}

__attribute__((constructor)) static void find_at_load(void) { hk_loader_memory_init(); }
