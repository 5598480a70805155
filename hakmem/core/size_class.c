#include "hakmem/core/size_class.h"

const uint8_t hk_class_table[HK_CLASS_TABLE_SIZE] = {HK_CLASS_TABLE};
const uint32_t hk_class_stride[HK_SLAB_CLASSES] = {
    HK_CLASS_STRIDES 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};

unsigned hk_class_units(unsigned c) {
  size_t need = (size_t)hk_class_stride[c] * 8 + hk_class_first_offset(c);
  return (unsigned)((need + HK_UNIT_SIZE - 1) / HK_UNIT_SIZE);
}

unsigned hk_class_capacity(unsigned c) {
  size_t bytes = (size_t)hk_class_units(c) * HK_UNIT_SIZE - hk_class_first_offset(c);
  return (unsigned)(bytes / hk_class_stride[c]);
}
