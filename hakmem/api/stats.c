/* Statistics, malloc_trim and their glibc-shaped reports. Not on any hot path:
 * stdio here is fine except in hak_malloc_stats, which also runs at exit. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/core/large.h"
#include "hakmem/core/options.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/os.h"
#include "hakmem/core/stats.h"
#include "hakmem/hakmem.h"
#include "hakmem/core/heap.h"
#include "hakmem/core/slab.h"

_Static_assert(HAK_STATS_CLASSES == HK_NUM_CLASSES, "hakmem.h must list every class");

static uint64_t load_u(_Atomic uint64_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}
/* Resident bytes of hakmem's memory, asked of the OS: every 2 MiB chunk the
 * registry marks as a SuperSlab or a large block, through mincore. Only the
 * registry pages that are resident can hold such a mark (the rest read zero,
 * foreign), so the walk asks mincore about the registry first. */
HK_NO_COVERAGE static uint64_t resident_bytes(void) {
  unsigned char vec[512];
  const uintptr_t page = hk_os_page_size();
  const uintptr_t reg = (uintptr_t)hk_registry, reg_end = reg + sizeof hk_registry;
  uint64_t resident = 0;
  for (uintptr_t at = reg & ~(page - 1); at < reg_end; at += sizeof vec * page) {
    size_t len = reg_end - at < sizeof vec * page ? reg_end - at : sizeof vec * page;
    if (hk_os_mincore((const void *)at, len, vec) != 0)
      continue;
    for (size_t k = 0; k < (len + page - 1) / page; k++) {
      if (!(vec[k] & 1))
        continue;
      uintptr_t from = at + k * page < reg ? reg : at + k * page;
      uintptr_t to = at + (k + 1) * page > reg_end ? reg_end : at + (k + 1) * page;
      for (size_t j = from - reg; j < to - reg; j++)
        if (atomic_load_explicit(&hk_registry[j], memory_order_relaxed) != HK_REG_FOREIGN)
          resident += hk_os_resident((const void *)(j << HK_SS_SHIFT), HK_SS_SIZE);
    }
  }
  return resident;
}

static uint64_t load_i(_Atomic int64_t *v) {
  int64_t x = atomic_load_explicit(v, memory_order_relaxed);
  return x > 0 ? (uint64_t)x : 0;
}

/* Adds a heap's counters into the report (under the pool lock). */
static void add_heap(hk_heap_t *heap, void *arg) {
  hak_stats_t *out = arg;
  out->small_bytes_in_use += load_i(&heap->ctr.small_bytes);
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    hak_class_stats_t *k = &out->classes[c];
    k->blocks_out += load_i(&heap->ctr.blocks_out[c]);
    k->refills += load_u(&heap->ctr.refills[c]);
    k->spills += load_u(&heap->ctr.spills[c]);
    k->remote_frees += load_u(&heap->ctr.remote_frees[c]);
  }
}

HK_API int hak_stats_get(hak_stats_t *out) {
  if (!out || out->size < sizeof(hak_stats_t)) {
    errno = EINVAL;
    return -1;
  }
  size_t size = out->size;
  memset(out, 0, sizeof *out);
  out->size = size;
  out->version = HAK_STATS_VERSION;
  out->num_classes = HK_NUM_CLASSES;
  hk_heap_all_each(add_heap, out);
  out->large_bytes_in_use = load_i(&hk_ctr.large_bytes);
  out->bytes_in_use = out->small_bytes_in_use + out->large_bytes_in_use;
  /* The peak lags the heaps' counters (core/stats.h) and they are read one by
   * one while other threads move them: a report's peak is at least what it and
   * every report before it saw in use. */
  out->bytes_in_use_peak = (uint64_t)hk_stat_peak_at_least((int64_t)out->bytes_in_use);
  out->large_allocs = load_u(&hk_ctr.large_allocs);
  out->large_frees = load_u(&hk_ctr.large_frees);
  out->heaps = load_u(&hk_ctr.heaps);
  hk_os_counters_t os;
  hk_os_get_counters(&os);
  out->os_mapped = os.bytes_mapped;
  out->os_resident = resident_bytes();
  if (out->os_resident > out->os_mapped) /* mapped moved meanwhile */
    out->os_resident = out->os_mapped;
  out->os_maps = os.maps;
  out->os_unmaps = os.unmaps;
  out->os_decommits = os.decommits;
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    out->classes[c].block_size = hk_class_usable(c);
  return 0;
}

static void trim_pooled(hk_heap_t *heap, void *any) {
  hk_remote_collect(heap);
  *(int *)any |= hk_heap_trim(heap, HK_PURGE_ALL) | hk_heap_unmap_free(heap, 1);
}

HK_API int hak_malloc_trim(size_t pad) {
  (void)pad; /* hakmem keeps no top-of-heap pad */
  int any = 0;
  hk_tls_t *t = &hk_tls;
  if (t->heap) {
    hk_heap_enter(t->heap);
    for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
      hk_spill(t, c, UINT32_MAX);
    hk_remote_collect(t->heap);
    any |= hk_heap_trim(t->heap, HK_PURGE_ALL) | hk_heap_unmap_free(t->heap, 1);
    hk_heap_leave(t->heap);
  }
  hk_heap_pool_each(trim_pooled, &any);
  any |= hk_large_trim();
  return any;
}

/* Writes with write(2) from a stack buffer: safe at exit and inside malloc. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  hk_os_write_err(buf);
}

HK_API void hak_malloc_stats(void) {
  hak_stats_t s = {.size = sizeof s};
  hak_stats_get(&s);
  say("hakmem: in use %llu bytes (peak %llu): small %llu, large %llu in %llu blocks\n",
      (unsigned long long)s.bytes_in_use, (unsigned long long)s.bytes_in_use_peak,
      (unsigned long long)s.small_bytes_in_use, (unsigned long long)s.large_bytes_in_use,
      (unsigned long long)(s.large_allocs - s.large_frees));
  say("hakmem: OS mapped %llu bytes, resident %llu; %llu maps, %llu unmaps, %llu decommits; "
      "%llu heaps\n",
      (unsigned long long)s.os_mapped, (unsigned long long)s.os_resident,
      (unsigned long long)s.os_maps, (unsigned long long)s.os_unmaps,
      (unsigned long long)s.os_decommits, (unsigned long long)s.heaps);
  say("hakmem: %8s %12s %10s %10s %12s\n", "block", "blocks out", "refills", "spills",
      "remote frees");
  for (unsigned c = 0; c < s.num_classes; c++) {
    hak_class_stats_t *k = &s.classes[c];
    if (k->refills || k->blocks_out)
      say("hakmem: %8llu %12llu %10llu %10llu %12llu\n", (unsigned long long)k->block_size,
          (unsigned long long)k->blocks_out, (unsigned long long)k->refills,
          (unsigned long long)k->spills, (unsigned long long)k->remote_frees);
  }
}

HK_API int hak_malloc_info(int options, FILE *stream) {
  if (options != 0) {
    errno = EINVAL;
    return -1;
  }
  hak_stats_t s = {.size = sizeof s};
  hak_stats_get(&s);
  fprintf(stream, "<malloc version=\"hakmem-%u\">\n<heap nr=\"0\">\n<sizes>\n", s.version);
  size_t from = 1;
  unsigned long long small_blocks = 0;
  for (unsigned c = 0; c < s.num_classes; c++) {
    hak_class_stats_t *k = &s.classes[c];
    small_blocks += k->blocks_out;
    if (k->blocks_out)
      fprintf(stream, "<size from=\"%zu\" to=\"%llu\" total=\"%llu\" count=\"%llu\"/>\n", from,
              (unsigned long long)k->block_size,
              (unsigned long long)(k->block_size * k->blocks_out),
              (unsigned long long)k->blocks_out);
    from = (size_t)k->block_size + 1;
  }
  fprintf(stream,
          "</sizes>\n<total type=\"small\" count=\"%llu\" size=\"%llu\"/>\n"
          "<total type=\"mmap\" count=\"%llu\" size=\"%llu\"/>\n"
          "<system type=\"current\" size=\"%llu\"/>\n<system type=\"max\" size=\"%llu\"/>\n"
          "<aspace type=\"total\" size=\"%llu\"/>\n<aspace type=\"mprotect\" size=\"%llu\"/>\n"
          "</heap>\n</malloc>\n",
          small_blocks, (unsigned long long)s.small_bytes_in_use,
          (unsigned long long)(s.large_allocs - s.large_frees),
          (unsigned long long)s.large_bytes_in_use, (unsigned long long)s.os_resident,
          (unsigned long long)s.bytes_in_use_peak, (unsigned long long)s.os_mapped,
          (unsigned long long)s.os_mapped);
  return 0;
}

HK_API struct mallinfo2 hak_mallinfo2(void) {
  hak_stats_t s = {.size = sizeof s};
  hak_stats_get(&s);
  struct mallinfo2 mi;
  memset(&mi, 0, sizeof mi);
  mi.arena = s.os_mapped - s.large_bytes_in_use;
  mi.hblks = s.large_allocs - s.large_frees;
  mi.hblkhd = s.large_bytes_in_use;
  mi.uordblks = s.small_bytes_in_use;
  mi.fordblks = mi.arena > mi.uordblks ? mi.arena - mi.uordblks : 0;
  mi.usmblks = s.bytes_in_use_peak;
  return mi;
}

/* A JSON report, built in a stack buffer and written in pieces: to a stream,
 * or with write(2) to stderr when there is none (safe at exit). */
typedef struct json_out {
  FILE *stream;
  int failed;
  size_t len;
  char buf[1024];
} json_out_t;

static void json_flush(json_out_t *o) {
  if (o->len == 0)
    return;
  if (o->stream)
    o->failed |= fwrite(o->buf, 1, o->len, o->stream) != o->len;
  else
    hk_os_write_err(o->buf);
  o->len = 0;
}

__attribute__((format(printf, 2, 3))) static void json_put(json_out_t *o, const char *fmt, ...) {
  for (int tries = 0; tries < 2; tries++) {
    size_t room = sizeof o->buf - o->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room) {
      o->len += (size_t)n;
      return;
    }
    o->buf[o->len] = '\0';
    json_flush(o); /* and again into the empty buffer: every piece fits one */
  }
}

static void stats_json(json_out_t *o) {
  hak_stats_t s = {.size = sizeof s};
  hak_stats_get(&s);
  json_put(o, "{\"hakmem\":\"%s\",\"stats_version\":%u,\"pid\":%ld", HAKMEM_VERSION, s.version,
           (long)getpid());
#define HK_JSON_U64(field) json_put(o, ",\"" #field "\":%llu", (unsigned long long)s.field)
  HK_JSON_U64(bytes_in_use);
  HK_JSON_U64(bytes_in_use_peak);
  HK_JSON_U64(small_bytes_in_use);
  HK_JSON_U64(large_bytes_in_use);
  HK_JSON_U64(large_allocs);
  HK_JSON_U64(large_frees);
  HK_JSON_U64(os_mapped);
  HK_JSON_U64(os_resident);
  HK_JSON_U64(os_maps);
  HK_JSON_U64(os_unmaps);
  HK_JSON_U64(os_decommits);
  HK_JSON_U64(heaps);
#undef HK_JSON_U64
  json_put(o, ",\"num_classes\":%u,\"classes\":[", s.num_classes);
  for (unsigned c = 0; c < s.num_classes; c++) {
    hak_class_stats_t *k = &s.classes[c];
    json_put(o,
             "%s{\"class\":%u,\"block_size\":%llu,\"blocks_out\":%llu,\"refills\":%llu,"
             "\"spills\":%llu,\"remote_frees\":%llu}",
             c ? "," : "", c, (unsigned long long)k->block_size, (unsigned long long)k->blocks_out,
             (unsigned long long)k->refills, (unsigned long long)k->spills,
             (unsigned long long)k->remote_frees);
  }
  json_put(o, "]}\n");
  json_flush(o);
}

HK_API int hak_stats_json(FILE *stream) {
  if (!stream) {
    errno = EINVAL;
    return -1;
  }
  json_out_t o = {.stream = stream};
  stats_json(&o);
  if (o.failed || fflush(stream) != 0)
    return -1; /* errno from the stream */
  return 0;
}

__attribute__((destructor)) static void show_stats_at_exit(void) {
  if (hk_opt.show_stats == 2) {
    json_out_t o = {.stream = NULL};
    stats_json(&o);
  } else if (hk_opt.show_stats) {
    hak_malloc_stats();
  }
}
