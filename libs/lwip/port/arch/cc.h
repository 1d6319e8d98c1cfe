/*
 * arch/cc.h: lwIP's compiler and platform port for mirari, the same on
 * both targets: GCC on x86_64, with glibc (unix) or newlib (xen) as the C
 * library. lwIP's arch.h includes it and supplies every definition not
 * made here (u32_t and friends from <stdint.h>, format macros from
 * <inttypes.h>, packing with GCC attributes).
 */
#ifndef MIRARI_LWIP_ARCH_CC_H
#define MIRARI_LWIP_ARCH_CC_H

/*
 * lwIP's arch.h defines LITTLE_ENDIAN and BIG_ENDIAN (1234, 4321) before
 * it includes this file, and the C libraries' <sys/types.h> define them
 * too, with the same values but other spellings, as well as BYTE_ORDER.
 * Theirs win, so that a C library header included after lwIP's does not
 * redefine them. <sys/types.h> also gives ssize_t: newlib's is a long,
 * but its <limits.h> has no SSIZE_MAX, without which arch.h would make
 * ssize_t an int. <unistd.h>, which arch.h would include for it, is not
 * needed.
 */
#undef LITTLE_ENDIAN
#undef BIG_ENDIAN
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#ifndef LITTLE_ENDIAN
#define LITTLE_ENDIAN		1234
#endif
#ifndef BIG_ENDIAN
#define BIG_ENDIAN		4321
#endif
#ifndef BYTE_ORDER
#define BYTE_ORDER		LITTLE_ENDIAN
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || BYTE_ORDER != LITTLE_ENDIAN
#error "lwip: mirari's port supports little-endian CPUs only"
#endif
#ifndef SSIZE_MAX
#define SSIZE_MAX		LONG_MAX
#endif
#define LWIP_NO_UNISTD_H	1

/* The byte swaps are single instructions; lwIP's are loops of shifts. */
#define lwip_htons(x)		((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x)		((u32_t)__builtin_bswap32((u32_t)(x)))

/*
 * errno: lwIP only touches it in the sockets API, which mirari does not
 * build; take the C library's <errno.h> (glibc and newlib both have one)
 * rather than lwIP's own list, so the two can never disagree.
 */
#define LWIP_ERRNO_STDINCLUDE	1

/*
 * Diagnostics go to mirari's log at debug level, one line per '\n'
 * (lwIP prints lines in pieces); a failed assertion is a panic with the
 * source file's name (not its path in the cache) and line.
 */
void port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void port_assert(const char *msg, const char *file, int line)
	__attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x)	do { port_diag x; } while (0)
#ifdef __FILE_NAME__
#define LWIP_PLATFORM_ASSERT(x)	port_assert((x), __FILE_NAME__, __LINE__)
#else
#define LWIP_PLATFORM_ASSERT(x)	port_assert((x), __FILE__, __LINE__)
#endif

/*
 * Random numbers for initial ports, DHCP transaction and DNS query ids:
 * not a cryptographic source (see port.c).
 */
uint32_t port_rand(void);
#define LWIP_RAND()		port_rand()

#endif /* MIRARI_LWIP_ARCH_CC_H */
