/* The dynamic loader's early memory, under LD_PRELOAD.
 *
 * Before relocation, glibc's ld.so serves its own allocations (link maps and
 * their names, the initial thread's TLS block and dtv) from a bump allocator of
 * its own: first the rest of ld.so's last writable page after its _end, then
 * anonymous mappings. Such memory may reach free() once hakmem is bound; it is
 * not hakmem's, and leaking it is the only safe answer. Any other foreign
 * pointer is a misuse.
 * Who: free's foreign-pointer path (box/tiny_fast) and the override's realloc
 * and malloc_usable_size of foreign pointers. Not on a hot path. */
#ifndef HAKMEM_CORE_LOADER_MEMORY_H
#define HAKMEM_CORE_LOADER_MEMORY_H

/* Finds the loader's arenas (at load time; again if needed): ld.so's page tail,
 * and each anonymous mapping that holds a link map ld.so allocated or the
 * initial thread's TLS block. */
void hk_loader_memory_init(void);
/* Whether p lies in one of them. */
int hk_loader_memory(const void *p);

#endif /* HAKMEM_CORE_LOADER_MEMORY_H */
