/* Size classes.
 *
 * Owns: the class list (strides, multiples of 16) and the request -> class map.
 * Tiny classes serve requests up to HK_TINY_MAX (1 KiB) through a byte per size;
 * mid classes (to 64 KiB) through a count-leading-zeros formula. Neither loops
 * nor divides. A block's usable size is its stride minus the header byte; with
 * the header off (HK_HDR 0) strides are exact, so a power-of-two request gets
 * a slot of its own size (README, "Size classes and the header byte").
 * Hot-path cost: tiny 2 instructions (table address, byte load; 1 KiB of table,
 * of which a program touches the lines of the sizes it asks for); mid about 8.
 * The byte per size is a measured trade: a table per 16 bytes (add and shift
 * before the load, 2 instructions more per pair) was 5 % faster for 1000 and
 * 1024 B requests but 1-1.5 % slower for 16-768 B (random_mixed_sys, 5-9
 * interleaved runs each); the cause of the 1 KiB loss is not known (no
 * hardware counters on the VM; cachegrind sees no extra misses). */
#ifndef HAKMEM_CORE_SIZE_CLASS_H
#define HAKMEM_CORE_SIZE_CLASS_H

#include <stddef.h>
#include <stdint.h>

#include "hakmem/core/config.h"
#include "hakmem/core/size_class_table.inc"

#define HK_TINY_MAX ((size_t)1024)
/* The table covers the whole last tiny class (stride 1040). */
#define HK_TABLE_MAX   ((size_t)1040 - HK_HDR)
#define HK_MID_CLASSES (HK_NUM_CLASSES - HK_TINY_CLASSES)
/* Mid strides are four per doubling, plus this with the header on (room for it,
 * blocks on a cache line), exact without: the last stride is 65536 + HK_MID_PAD. */
#define HK_MID_PAD   (HK_HDR ? 64 : 0)
#define HK_SMALL_MAX ((size_t)65536 + HK_MID_PAD - HK_HDR)
/* Aligned classes: strides 64 B .. 32 KiB, powers of two, each block aligned to
 * its stride. They serve aligned requests (box/aligned.h), straight from the
 * heap's slabs: no thread cache holds them, so their tags (HK_NUM_CLASSES ..)
 * take the free slow path. */
#define HK_ALIGNED_CLASSES 10
#define HK_SLAB_CLASSES    (HK_NUM_CLASSES + HK_ALIGNED_CLASSES)
/* Whether aligned classes' blocks have the header byte: in hardened builds only,
 * whose free bit is their double-free check in any order. Elsewhere the byte
 * took a block's last byte, so that a request of its alignment's size took the
 * next stride (posix_memalign(4096, 4096) 8 KiB, aligned_alloc(64, 64) 128 B);
 * the free slow path takes their class from the unit map, and checks the block
 * start (box/tiny_fast.c, resolve). */
#define HK_ALIGNED_HDR (HK_HDR && HAKMEM_HARDENED)
/* Tags that are not classes: the free fast path sends them (and corrupt
 * headers) to the slow path. */
#define HK_TAG_SPAN 0xFE /* a span (superslab.h), as class of its slab and its header */
/* Tags: with the header on, the byte before a block is its slab class's tag
 * (hk_class_tags), a byte of odd weight below 0x80: 0x00, 0xFF and any tag with
 * one bit flipped are no class's tag, so a NUL overflow or a flipped bit sends
 * free to the slow path, where it is reported. The free fast path takes the
 * class from the SuperSlab's unit map and checks the header against the unit's
 * tag (superslab.h, unit_tag). Without the header, tag and class are the same. */
#define HK_NUM_TAGS 256
#define HK_NO_CLASS 0xFF /* hk_tag_class of a byte that is no class's tag */
#define HK_TAG_NONE 0xFF /* no class's tag: the unit_tag of a unit no cached class has */
/* Hardened builds: a free block's header is its class's tag with the top bit
 * set: no class's tag either, so a second free of the block takes the slow
 * path, which says double free. */
#define HK_TAG_FREED_BIT 0x80

/* Per n + HK_HDR bytes, to the last tiny stride, one byte per size: [0] the
 * class, [1] its header tag (builds with the header: hk_free_sized's check,
 * a load from the same base). */
extern const uint8_t hk_class_table[2][HK_CLASS_TABLE_SIZE];
extern const uint32_t hk_class_stride[HK_SLAB_CLASSES];
extern const uint8_t hk_class_tags[HK_SLAB_CLASSES];
extern const uint8_t hk_tag_class[HK_NUM_TAGS];
extern const uint64_t hk_class_inv[HK_SLAB_CLASSES];
extern const uint8_t hk_class_shift[HK_SLAB_CLASSES];

HK_HOT unsigned hk_class_tag(unsigned c) { return HK_HDR ? hk_class_tags[c] : c; }
/* The class a tag stands for, or HK_NO_CLASS. */
HK_HOT unsigned hk_tag_class_of(unsigned tag) {
  return HK_HDR ? hk_tag_class[tag] : tag < HK_SLAB_CLASSES ? tag : HK_NO_CLASS;
}
HK_HOT unsigned hk_freed_tag(unsigned tag) { return tag | HK_TAG_FREED_BIT; }

/* The index of the block of class c that starts off bytes from its slab's
 * base, or a number above any slab's capacity if off is not on a block
 * boundary (misaligned, or negative). A multiply and a rotate, no divide. */
HK_HOT uint64_t hk_class_block_index(unsigned c, uint64_t off) {
  uint64_t q = off * hk_class_inv[c];
  unsigned e = hk_class_shift[c];
  return (q >> e) | (q << ((64 - e) & 63));
}

HK_HOT unsigned hk_tiny_class(size_t n) { return hk_class_table[0][n + HK_HDR]; }
HK_HOT unsigned hk_tiny_tag(size_t n) { return hk_class_table[1][n + HK_HDR]; }

/* For HK_TABLE_MAX < n <= HK_SMALL_MAX. */
HK_HOT unsigned hk_mid_class(size_t n) {
  size_t x = n + HK_HDR - HK_MID_PAD - 1; /* the class's nominal size must exceed x */
  if (x < 1024)
    x = 1024;
  unsigned b = 63u - (unsigned)__builtin_clzll(x);
  return HK_TINY_CLASSES + (b - 10) * 4 + (unsigned)((x >> (b - 2)) & 3);
}

HK_HOT unsigned hk_size_class(size_t n) {
  return n <= HK_TABLE_MAX ? hk_tiny_class(n) : hk_mid_class(n);
}

/* Whether blocks of class (or tag: spans have it) c have the header byte. */
HK_HOT int hk_class_hdr(unsigned c) {
  return c >= HK_NUM_CLASSES && c < HK_SLAB_CLASSES ? HK_ALIGNED_HDR : HK_HDR;
}

HK_HOT size_t hk_class_usable(unsigned c) { return hk_class_stride[c] - (size_t)hk_class_hdr(c); }

/* Offset of a slab's first block from the slab's start: with the header on, the
 * first block's header byte needs a byte before it, and mid blocks start on a
 * cache line. Tiny blocks stay at 16 mod 64, so that a free's header byte and
 * link word share a cache line; aligned classes start at their stride. */
static inline size_t hk_class_first_offset(unsigned c) {
  if (!hk_class_hdr(c))
    return 0;
  return c < HK_TINY_CLASSES ? HK_ALIGN : c < HK_NUM_CLASSES ? 64 : hk_class_stride[c];
}

/* The alignment every block of class c has: the largest power of two dividing
 * both its stride and its first offset (slabs start on a 64 KiB unit). */
static inline size_t hk_class_align(unsigned c) {
  size_t bits = hk_class_stride[c] | hk_class_first_offset(c) | HK_UNIT_SIZE;
  return bits & -bits;
}

/* Slab geometry of a class: how many 64 KiB units one slab spans (at least 8
 * blocks per slab), and how many blocks it holds. */
unsigned hk_class_units(unsigned c);
unsigned hk_class_capacity(unsigned c);

#endif /* HAKMEM_CORE_SIZE_CLASS_H */
