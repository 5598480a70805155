#include "hakmem/core/size_class.h"

const uint8_t hk_class_table[2][HK_CLASS_TABLE_SIZE] = {{HK_CLASS_TABLE}, {HK_SIZE_TAGS}};
const uint32_t hk_class_stride[HK_SLAB_CLASSES] = {HK_CLASS_STRIDES HK_ALIGNED_STRIDES};
const uint8_t hk_class_tags[HK_SLAB_CLASSES] = {HK_CLASS_TAGS};
const uint8_t hk_tag_class[HK_NUM_TAGS] = {HK_TAG_CLASS};
const uint64_t hk_class_inv[HK_SLAB_CLASSES] = {HK_CLASS_INV};
const uint8_t hk_class_shift[HK_SLAB_CLASSES] = {HK_CLASS_SHIFT};

unsigned hk_class_units(unsigned c) {
  size_t need = (size_t)hk_class_stride[c] * 8 + hk_class_first_offset(c);
  return (unsigned)((need + HK_UNIT_SIZE - 1) / HK_UNIT_SIZE);
}

unsigned hk_class_capacity(unsigned c) {
  size_t bytes = (size_t)hk_class_units(c) * HK_UNIT_SIZE - hk_class_first_offset(c);
  return (unsigned)(bytes / hk_class_stride[c]);
}
