/*
 * crash.c: a readable last word when a thread overflows its stack.
 *
 * An overflow runs into the guard page below the thread's stack and the
 * kernel sends SIGSEGV. The stack is full by then, so the handler runs on
 * an alternate stack of its own. It writes one line that says where the
 * fault was and, when the address is a guard page, whose; then it aborts
 * like mr_panic does, so a debugger or a core dump takes over from there.
 * Only async-signal-safe calls are made: write(2) through the console,
 * a hand-made hexadecimal conversion, abort(3).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <mirari/plat.h>

#include "backend.h"

/* Append (s) to the buffer [*p, end), dropping what does not fit. */
static void
put(char **p, const char *end, const char *s)
{
	while (*s != '\0' && *p < end)
		*(*p)++ = *s++;
}

static void
put_hex(char **p, const char *end, uintptr_t v)
{
	char digits[2 + 2 * sizeof v + 1], *d = digits + sizeof digits - 1;

	*d = '\0';
	do {
		*--d = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v != 0);
	*--d = 'x';
	*--d = '0';
	put(p, end, d);
}

static void
on_fault(int sig, siginfo_t *si, void *context)
{
	char line[256], *p = line;
	const char *end = line + sizeof line;
	const char *owner = mr_stack_guard_owner(si->si_addr);

	(void)context;
	put(&p, end, "mirari: crash: ");
	put(&p, end, sig == SIGBUS ? "bus error" : "segmentation fault");
	put(&p, end, " at ");
	put_hex(&p, end, (uintptr_t)si->si_addr);
	if (owner != NULL) {
		put(&p, end, " (stack overflow: guard page of thread ");
		put(&p, end, owner);
		put(&p, end, ")");
	}
	if (p == end)
		p--;
	*p++ = '\n';
	mr_plat_console_write(line, (size_t)(p - line));
	abort();
}

/*
 * AddressSanitizer installs a handler of its own that reports more than
 * this one could, so under ASan there is nothing to do.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED true
#else
#define SANITIZED false
#endif

void
crash_install(void)
{
	static char altstack[1 << 16];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	struct sigaction sa = { .sa_sigaction = on_fault };

	if (SANITIZED)
		return;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) == 0) {
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
}
