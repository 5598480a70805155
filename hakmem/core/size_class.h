/* Size classes.
 *
 * Owns: the class list (strides, multiples of 16) and the request -> class map.
 * Tiny classes serve requests up to HK_TINY_MAX (1 KiB) through a table lookup;
 * mid classes (to 64 KiB) through a count-leading-zeros formula. Neither loops
 * nor divides. A block's usable size is its stride minus the header byte.
 * Hot-path cost: tiny 3 instructions (add, shift, byte load); mid about 8. */
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
/* The last stride is 65536 + 64. */
#define HK_SMALL_MAX ((size_t)65600 - HK_HDR)
/* Tags: the header byte before each small block, and the index of the thread
 * cache's lists. With the header on, a class's tag is a byte of odd weight (at
 * least 3; hk_class_tags): 0x00, 0xFF and any tag with one bit flipped are not
 * class tags, so a NUL overflow or a flipped bit sends free to the slow path,
 * where it is reported. Without the header, tag and class are the same. The two
 * tags below are not classes: the free fast path sends them to the slow path. */
#define HK_TAG_ALIGNED 0xA1
#define HK_TAG_SPAN    0xFE /* a span (superslab.h), as class of its slab and its header */
#define HK_NUM_TAGS    256
#define HK_NO_CLASS    0xFF /* hk_tag_class of a byte that is no class's tag */

/* Hardened builds: a free block's header is its class tag with the top bit set.
 * Class tags are below 0x80 and of odd weight, so a freed tag is no class's tag
 * and a second free of the block takes the slow path, which says double free. */
#define HK_TAG_FREED_BIT 0x80

extern const uint8_t hk_class_table[66];
extern const uint8_t hk_tag_table[66]; /* hk_class_table's classes as tags */
extern const uint8_t hk_class_tags[HK_NUM_CLASSES];
extern const uint8_t hk_tag_class[HK_NUM_TAGS];
extern const uint32_t hk_class_stride[HK_NUM_CLASSES];
extern const uint64_t hk_class_inv[HK_NUM_CLASSES];
extern const uint8_t hk_class_shift[HK_NUM_CLASSES];

/* The index of the block of class c that starts off bytes from its slab's
 * base, or a number above any slab's capacity if off is not on a block
 * boundary (misaligned, or negative). A multiply and a rotate, no divide. */
HK_HOT uint64_t hk_class_block_index(unsigned c, uint64_t off) {
  uint64_t q = off * hk_class_inv[c];
  unsigned e = hk_class_shift[c];
  return (q >> e) | (q << ((64 - e) & 63));
}

HK_HOT unsigned hk_tiny_class(size_t n) { return hk_class_table[(n + HK_HDR + 15) >> 4]; }
HK_HOT unsigned hk_tiny_tag(size_t n) {
  return HK_HDR ? hk_tag_table[(n + HK_HDR + 15) >> 4] : hk_tiny_class(n);
}
HK_HOT unsigned hk_class_tag(unsigned c) { return HK_HDR ? hk_class_tags[c] : c; }
/* The class a tag stands for, or HK_NO_CLASS. */
HK_HOT unsigned hk_tag_class_of(unsigned tag) {
  return HK_HDR ? hk_tag_class[tag] : tag < HK_NUM_CLASSES ? tag : HK_NO_CLASS;
}

HK_HOT unsigned hk_freed_tag(unsigned tag) { return tag | HK_TAG_FREED_BIT; }
HK_HOT int hk_is_freed_tag(unsigned b) {
  return (b & HK_TAG_FREED_BIT) && hk_tag_class_of(b & ~HK_TAG_FREED_BIT) < HK_NUM_CLASSES;
}

/* For HK_TABLE_MAX < n <= HK_SMALL_MAX. */
HK_HOT unsigned hk_mid_class(size_t n) {
  size_t x = n + HK_HDR - 65; /* the class's nominal size must exceed x */
  if (x < 1024)
    x = 1024;
  unsigned b = 63u - (unsigned)__builtin_clzll(x);
  return HK_TINY_CLASSES + (b - 10) * 4 + (unsigned)((x >> (b - 2)) & 3);
}

HK_HOT unsigned hk_size_class(size_t n) {
  return n <= HK_TABLE_MAX ? hk_tiny_class(n) : hk_mid_class(n);
}

HK_HOT size_t hk_class_usable(unsigned c) { return hk_class_stride[c] - HK_HDR; }

/* Offset of a slab's first block from the slab's start: with the header on, the
 * first block's header byte needs a byte before it, and mid blocks start on a
 * cache line. */
static inline size_t hk_class_first_offset(unsigned c) {
  return HK_HDR ? (c < HK_TINY_CLASSES ? HK_ALIGN : 64) : 0;
}

/* Slab geometry of a class: how many 64 KiB units one slab spans (at least 8
 * blocks per slab), and how many blocks it holds. */
unsigned hk_class_units(unsigned c);
unsigned hk_class_capacity(unsigned c);

#endif /* HAKMEM_CORE_SIZE_CLASS_H */
