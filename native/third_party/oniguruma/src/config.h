/* crossrank's config.h for Oniguruma (replaces the configure/CMake-generated one): the C99 headers every supported
   compiler has, and type sizes from the compiler's own macros so one file serves Linux, macOS and Windows. */
#ifndef ONIG_CROSSRANK_CONFIG_H
#define ONIG_CROSSRANK_CONFIG_H
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_SYS_TYPES_H 1
#define SIZEOF_INT 4
#define SIZEOF_LONG_LONG 8
#if defined(_WIN32)
#define SIZEOF_LONG 4
#elif defined(__SIZEOF_LONG__)
#define SIZEOF_LONG __SIZEOF_LONG__
#else
#error "unknown sizeof(long)"
#endif
#if defined(_WIN64)
#define SIZEOF_VOIDP 8
#elif defined(_WIN32)
#define SIZEOF_VOIDP 4
#elif defined(__SIZEOF_POINTER__)
#define SIZEOF_VOIDP __SIZEOF_POINTER__
#else
#error "unknown sizeof(void*)"
#endif
#endif
