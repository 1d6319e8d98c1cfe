/*
 * boot.c: mr_boot, logging, exit and panic, and the Unix entry point, each
 * run in a child process the way an application runs.
 */
#include <stdint.h>

#include <mirari/unix.h>

#include "runtime.h"
#include "child.h"
#include "tap.h"

static const struct mr_param_desc params[] = {
	{ "count", MR_PARAM_INT, { .i = 3 }, 0, 10, "how many greetings" },
	{ "greeting", MR_PARAM_STRING, { .s = "hello" }, 0, 64, "what to say" },
	{ "period", MR_PARAM_DURATION, { .i = MR_SEC(1) }, MR_MSEC(1),
	  MR_SEC(60), "time between greetings" },
	{ "heap", MR_PARAM_SIZE, { .i = 16 << 20 }, 0, INT64_MAX, NULL },
};

static void
init_a(void)
{
	printf("init a\n");
}

static void
init_b(void)
{
	printf("init b\n");
}

static void (*const inits[])(void) = { init_a, init_b };

/* What the application's main does, chosen by each test. */
static enum { GREET, EXIT3, PANIC, LONG_LINE } mode;

static void
app_main(void)
{
	char big[1000];

	switch (mode) {
	case GREET:
		printf("%s in %s: count=%lld greeting=%s log=%s\n",
		       mr_app_name(), mr_thread_name(mr_thread_self()),
		       (long long)mr_param_int("count"),
		       mr_param_string("greeting"), mr_param_string("log"));
		mr_info("info line %d", 42);
		mr_debug("debug line");
		break;
	case EXIT3:
		mr_exit(3);
	case PANIC:
		mr_panic("boom %d", 7);
	case LONG_LINE:
		memset(big, 'a', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		mr_warn("%s", big);
		break;
	}
}

static const struct mr_app app = {
	.name = "bootapp",
	.inits = inits,
	.ninits = 2,
	.main = app_main,
	.params = params,
	.nparams = sizeof params / sizeof params[0],
};

static void
boot(void *cmdline)
{
	static char line[MR_PARAMS_MAX_LINE + 1];

	snprintf(line, sizeof line, "%s", (const char *)cmdline);
	mr_boot(&app, line);
}

/* The first line of (text) that contains (what), or NULL. */
static const char *
line_with(const char *text, const char *what)
{
	const char *p = strstr(text, what);

	while (p != NULL && p > text && p[-1] != '\n')
		p--;
	return p;
}

static void
test_boot(void)
{
	struct child c;
	const char *l;

	mode = GREET;
	child_run(&c, boot, "count=5 greeting=\"hi there\"");
	is_int(child_exit_status(&c), 0, "returning from main ends the "
	       "application with status 0");
	is_str(c.out, "init a\ninit b\nbootapp in main: count=5 greeting=hi "
	       "there log=info\n", "initialisers run in order, then main in "
	       "a thread called main, with its parameters");
	l = line_with(c.err, "info main: info line 42\n");
	ok(l != NULL && l[0] == '[' && l[6] == '.' && l[13] == ']' &&
	   strspn(l + 1, " 0123456789") == 5 &&
	   strspn(l + 7, "0123456789") == 6,
	   "a log line is [SECONDS.MICROS] LEVEL THREAD: message");
	ok(strstr(c.err, "debug") == NULL, "debug lines are off at level info");

	child_run(&c, boot, "log=debug");
	ok(strstr(c.err, "] debug -: booting bootapp on unix\n") != NULL &&
	   strstr(c.err, "] debug main: debug line\n") != NULL,
	   "log=debug turns debug lines on, the boot message included");
	child_run(&c, boot, "log=error");
	ok(child_exit_status(&c) == 0 && c.err[0] == '\0',
	   "log=error turns info lines off");

	child_run(&c, boot, "count=abc");
	is_int(child_exit_status(&c), 2, "a bad parameter exits with 2");
	is_str(c.err, "mirari: boot parameter count=abc: expected an integer\n",
	       "... saying which word and why");
	is_str(c.out, "", "... before any initialiser runs");
	child_run(&c, boot, "log=loud");
	ok(child_exit_status(&c) == 2 && strcmp(c.err, "mirari: boot parameter "
	   "log=loud: expected error, warn, info or debug\n") == 0,
	   "log= accepts only the four levels");
}

static void
test_ending(void)
{
	struct child c;
	const char *l;

	mode = EXIT3;
	child_run(&c, boot, "");
	is_int(child_exit_status(&c), 3, "mr_exit(3) exits with status 3");

	mode = PANIC;
	child_run(&c, boot, "");
	ok(child_aborted(&c) && strstr(c.err, "] panic main: boom 7\n"),
	   "mr_panic prints its message with the thread's name and aborts");

	mode = LONG_LINE;
	child_run(&c, boot, "");
	l = line_with(c.err, " warn main: aaa");
	ok(l != NULL && strlen(l) == 511 &&
	   strcmp(l + 506, "a...\n") == 0, "a long line is cut at 512 bytes "
	   "and ends with ...");

	is_str(mr_strerror(MR_ETIMEDOUT), "timed out", "mr_strerror");
	is_str(mr_target(), "unix", "mr_target");
	is_str(mr_app_name(), "unit", "before boot, mr_app_name is the "
	       "configured name");
}

/* mr_unix_main: argv to the command line, and --help. */
static void
unix_main(void *arg)
{
	char **argv = arg;
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	mr_unix_main(argc, argv, &app);
}

static void
test_unix_main(void)
{
	static char *quoted[] = {
		"bootapp", "greeting=a \"b\" \\c", "count=2", NULL
	};
	static char *help[] = { "bootapp", "count=99", "-h", NULL };
	static char *bad[] = { "bootapp", "count=7", "greting=hi", NULL };
	struct child c;

	mode = GREET;
	child_run(&c, unix_main, quoted);
	is_str(c.out, "init a\ninit b\nbootapp in main: count=2 greeting=a "
	       "\"b\" \\c log=info\n", "words of argv reach the application "
	       "as they were, spaces, quotes and backslashes included");

	child_run(&c, unix_main, help);
	is_int(child_exit_status(&c), 0, "-h exits with 0, whatever else is "
	       "on the command line");
	ok(strncmp(c.out, "usage: bootapp [key=value ...]\n", 31) == 0,
	   "... after a usage line");
	ok(line_with(c.out, "count") &&
	   strstr(line_with(c.out, "count"), "int") &&
	   strstr(line_with(c.out, "count"), "3") &&
	   strstr(line_with(c.out, "count"), "how many greetings") &&
	   strstr(line_with(c.out, "period"), "1s") &&
	   strstr(line_with(c.out, "heap"), "16M") &&
	   strstr(line_with(c.out, "greeting"), "\"hello\"") &&
	   strstr(line_with(c.out, "log"), "\"info\""),
	   "... and each parameter with its type, default and description");
	if (!ok(line_with(c.out, "log") != NULL,
		"the runtime's log= is listed"))
		tap_diag("%s", c.out);

	child_run(&c, unix_main, bad);
	ok(child_exit_status(&c) == 2 && strcmp(c.err, "mirari: boot parameter "
	   "greting=hi: unknown parameter 'greting' (did you mean "
	   "'greeting'?)\n") == 0, "a misspelt parameter is caught at boot");
}

int
main(void)
{
	test_boot();
	test_ending();
	test_unix_main();
	return done_testing();
}
