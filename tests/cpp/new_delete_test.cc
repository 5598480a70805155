// Every replaceable operator new and delete form reaches hakmem: the pointer
// is hakmem's, aligned as asked, and freed by each matching delete form; a
// failed allocation runs the new_handler loop and throws std::bad_alloc (or
// returns null for nothrow), as [new.delete] says.
//
// Built twice: linked with the static override (HK_TEST_STATIC), and plainly,
// run under LD_PRELOAD of libhakmem.so (tests/cpp/preload_run.sh), where
// hak_owns is looked up at run time: it is missing unless hakmem is preloaded.
#include <dlfcn.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "tests/check.h"

#ifdef HK_TEST_STATIC
#include "hakmem/hakmem.h"
#endif

namespace {

int (*owns)(const void *);

void *escape(void *p) {
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

void check_ours(void *p, size_t size, size_t align) {
  CHECK(p != nullptr);
  CHECK(owns(p));
  CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
  memset(escape(p), 0xA5, size); // the whole block is usable
}

// Each form is defined by the object that defines hak_owns (the program with the
// static override, libhakmem.so when preloaded), not by libstdc++, whose forms
// would reach hakmem too, but through malloc.
void forms_are_hakmems() {
  using std::align_val_t;
  using std::nothrow_t;
  struct Form {
    const char *name;
    void *fn;
  };
#define FORM(sig, op)                                                                              \
  { #op " " #sig, reinterpret_cast < void *>(static_cast <sig>(&::op)) }
  const Form forms[] = {
      FORM(void *(*)(size_t), operator new),
      FORM(void *(*)(size_t), operator new[]),
      FORM(void *(*)(size_t, const nothrow_t &), operator new),
      FORM(void *(*)(size_t, const nothrow_t &), operator new[]),
      FORM(void *(*)(size_t, align_val_t), operator new),
      FORM(void *(*)(size_t, align_val_t), operator new[]),
      FORM(void *(*)(size_t, align_val_t, const nothrow_t &), operator new),
      FORM(void *(*)(size_t, align_val_t, const nothrow_t &), operator new[]),
      FORM(void (*)(void *), operator delete),
      FORM(void (*)(void *), operator delete[]),
      FORM(void (*)(void *, size_t), operator delete),
      FORM(void (*)(void *, size_t), operator delete[]),
      FORM(void (*)(void *, const nothrow_t &), operator delete),
      FORM(void (*)(void *, const nothrow_t &), operator delete[]),
      FORM(void (*)(void *, align_val_t), operator delete),
      FORM(void (*)(void *, align_val_t), operator delete[]),
      FORM(void (*)(void *, size_t, align_val_t), operator delete),
      FORM(void (*)(void *, size_t, align_val_t), operator delete[]),
      FORM(void (*)(void *, align_val_t, const nothrow_t &), operator delete),
      FORM(void (*)(void *, align_val_t, const nothrow_t &), operator delete[]),
  };
#undef FORM
  Dl_info hak, info;
  CHECK(dladdr(reinterpret_cast<void *>(owns), &hak) != 0);
  for (const Form &f : forms) {
    CHECK(dladdr(f.fn, &info) != 0);
    if (info.dli_fbase != hak.dli_fbase) {
      fprintf(stderr, "new_delete_test: %s comes from %s, not from hakmem (%s)\n", f.name,
              info.dli_fname, hak.dli_fname);
      abort();
    }
  }
}

const size_t kSizes[] = {0, 1, 16, 100, 1024, 4000, 70000, 3u << 20};
const size_t kAligns[] = {16, 64, 4096, 1u << 21};

void plain_forms() {
  for (size_t n : kSizes) {
    void *p = ::operator new(n);
    check_ours(p, n, 16);
    ::operator delete(p);
    p = ::operator new(n);
    check_ours(p, n, 16);
    ::operator delete(p, n);
    p = ::operator new[](n);
    check_ours(p, n, 16);
    ::operator delete[](p);
    p = ::operator new[](n);
    check_ours(p, n, 16);
    ::operator delete[](p, n);
    p = ::operator new(n, std::nothrow);
    check_ours(p, n, 16);
    ::operator delete(p, std::nothrow);
    p = ::operator new[](n, std::nothrow);
    check_ours(p, n, 16);
    ::operator delete[](p, std::nothrow);
  }
}

void aligned_forms() {
  for (size_t n : kSizes) {
    for (size_t a : kAligns) {
      std::align_val_t al{a};
      void *p = ::operator new(n, al);
      check_ours(p, n, a);
      ::operator delete(p, al);
      p = ::operator new(n, al);
      check_ours(p, n, a);
      ::operator delete(p, n, al);
      p = ::operator new[](n, al);
      check_ours(p, n, a);
      ::operator delete[](p, al);
      p = ::operator new[](n, al);
      check_ours(p, n, a);
      ::operator delete[](p, n, al);
      p = ::operator new(n, al, std::nothrow);
      check_ours(p, n, a);
      ::operator delete(p, al, std::nothrow);
      p = ::operator new[](n, al, std::nothrow);
      check_ours(p, n, a);
      ::operator delete[](p, al, std::nothrow);
    }
  }
}

// A sized delete returns the block to its own class: the next new of that size
// gets it back (the thread cache is LIFO).
void sized_delete_reuses() {
  for (size_t n : {8, 48, 500, 1000, 3000, 60000}) {
    void *p = ::operator new(n);
    ::operator delete(p, n);
    void *q = ::operator new(n);
    CHECK(q == p);
    ::operator delete(q, n);
  }
}

// A sized delete given a size of another class (undefined behaviour, but hakmem
// loses nothing): the block still goes back to its own class, whichever class
// the size names.
void sized_delete_wrong_size() {
  for (size_t n : {8, 48, 500, 1000}) {
    for (size_t wrong : {1, 100, 1000, 5000}) {
      void *p = ::operator new(n);
      ::operator delete(p, wrong);
      void *q = ::operator new(n);
      CHECK(q == p);
      ::operator delete(q, n);
    }
  }
}

struct alignas(256) Wide {
  char c[300];
};

// What the compiler emits: new-expressions, sized delete of complete types,
// over-aligned types, and the standard library's containers.
void expressions() {
  auto *s = new std::string(1000, 'x');
  CHECK(owns(s) && owns(s->data()));
  delete s;
  auto *w = new Wide;
  check_ours(w, sizeof *w, 256);
  delete w;
  auto *ws = new Wide[5];
  check_ours(ws, 5 * sizeof *ws, 256);
  delete[] ws;
  std::vector<std::unique_ptr<int>> v;
  for (int i = 0; i < 10000; i++)
    v.push_back(std::make_unique<int>(i));
  CHECK(owns(v.data()) && owns(v[9999].get()) && *v[9999] == 9999);
}

const size_t kHuge = SIZE_MAX / 2; // no allocator can map this

template <typename F> bool throws_bad_alloc(F f) {
  try {
    escape(f());
  } catch (const std::bad_alloc &) {
    return true;
  }
  return false;
}

int handler_calls;

void handler_gives_up_second_time() {
  if (++handler_calls == 2)
    std::set_new_handler(nullptr);
}

void handler_throws() {
  handler_calls++;
  throw std::bad_alloc();
}

rlimit saved_as;

void handler_lifts_limit() {
  handler_calls++;
  CHECK(setrlimit(RLIMIT_AS, &saved_as) == 0);
}

void failures() {
  std::align_val_t al{64};
  CHECK(throws_bad_alloc([] { return ::operator new(kHuge); }));
  CHECK(throws_bad_alloc([] { return ::operator new[](kHuge); }));
  CHECK(throws_bad_alloc([&] { return ::operator new(kHuge, al); }));
  CHECK(throws_bad_alloc([&] { return ::operator new[](kHuge, al); }));
  CHECK(::operator new(kHuge, std::nothrow) == nullptr);
  CHECK(::operator new[](kHuge, std::nothrow) == nullptr);
  CHECK(::operator new(kHuge, al, std::nothrow) == nullptr);
  CHECK(::operator new[](kHuge, al, std::nothrow) == nullptr);

  // The handler runs until it uninstalls itself; then bad_alloc.
  handler_calls = 0;
  std::set_new_handler(handler_gives_up_second_time);
  CHECK(throws_bad_alloc([] { return ::operator new(kHuge); }));
  CHECK(handler_calls == 2);
  handler_calls = 0;
  std::set_new_handler(handler_gives_up_second_time);
  CHECK(::operator new(kHuge, al, std::nothrow) == nullptr);
  CHECK(handler_calls == 2);

  // nothrow new catches a bad_alloc the handler throws.
  handler_calls = 0;
  std::set_new_handler(handler_throws);
  CHECK(::operator new(kHuge, std::nothrow) == nullptr);
  CHECK(::operator new[](kHuge, al, std::nothrow) == nullptr);
  CHECK(throws_bad_alloc([] { return ::operator new(kHuge); }));
  CHECK(handler_calls == 3);

  // A handler that makes memory available: the retry succeeds. Address space
  // is capped just above what is mapped now, so a 256 MiB block fails first.
  CHECK(getrlimit(RLIMIT_AS, &saved_as) == 0);
  FILE *f = fopen("/proc/self/statm", "r");
  CHECK(f != nullptr);
  unsigned long pages = 0;
  CHECK(fscanf(f, "%lu", &pages) == 1);
  fclose(f);
  rlimit capped = saved_as;
  capped.rlim_cur = pages * 4096 + (64u << 20);
  handler_calls = 0;
  std::set_new_handler(handler_lifts_limit);
  CHECK(setrlimit(RLIMIT_AS, &capped) == 0);
  size_t big = 256u << 20;
  void *p = ::operator new(big);
  check_ours(p, 4096, 16);
  CHECK(handler_calls == 1);
  ::operator delete(p, big);
  std::set_new_handler(nullptr);
}

} // namespace

int main() {
#ifdef HK_TEST_STATIC
  owns = hak_owns;
#else
  owns = reinterpret_cast<int (*)(const void *)>(dlsym(RTLD_DEFAULT, "hak_owns"));
  if (!owns) {
    fprintf(stderr, "new_delete_test: hak_owns not found: run it under LD_PRELOAD=libhakmem.so\n");
    return 1;
  }
#endif
  forms_are_hakmems();
  plain_forms();
  aligned_forms();
  sized_delete_reuses();
  sized_delete_wrong_size();
  expressions();
  failures();
  puts("new_delete_test: ok");
  return 0;
}
