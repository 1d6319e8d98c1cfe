/* crash: fails on purpose, as the runtime parameter `how` says. */
#include <stdio.h>
#include <string.h>

#include <mirari/mirari.h>

static struct mr_event never;
static unsigned char data[16] = { 0xc3 };	/* ret, if it ran */

/* Recurse without end; the guard page below the stack stops it. */
static int
deep(volatile char *prev)
{
	volatile char frame[512];

	frame[0] = prev ? prev[0] + 1 : 0;
	return deep(frame) + frame[1];
}

void
crash_main(void)
{
	const char *how = mr_param_string("how");

	if (strcmp(how, "panic") == 0)
		mr_panic("on purpose, %d", 42);
	if (strcmp(how, "null") == 0) {
		volatile int *p = NULL;
		printf("%d\n", *p);
	}
	if (strcmp(how, "overflow") == 0)
		printf("%d\n", deep(NULL));
	if (strcmp(how, "writetext") == 0)
		*(volatile unsigned char *)(void *)crash_main = 0xcc;
	if (strcmp(how, "execdata") == 0)
		((void (*)(void))(void *)data)();
	if (strcmp(how, "deadlock") == 0) {
		mr_event_init(&never);
		mr_event_wait(&never, MR_FOREVER);
	}
	if (strcmp(how, "exit3") == 0)
		mr_exit(3);
	printf("no crash\n");
}
