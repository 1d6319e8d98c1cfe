/*
 * main.c: the process entry point, from argv to mr_boot().
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/mirari.h>
#include <mirari/plat.h>
#include <mirari/unix.h>

#include "backend.h"

static const char *const type_names[] = {
	[MR_PARAM_INT] = "int",
	[MR_PARAM_BOOL] = "bool",
	[MR_PARAM_STRING] = "string",
	[MR_PARAM_SIZE] = "size",
	[MR_PARAM_DURATION] = "duration",
};

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static void
describe(const char *name, enum mr_param_type type, const char *def,
	 const char *doc)
{
	if (doc != NULL && *doc != '\0')
		printf("  %-20s %-9s %-12s %s\n", name, type_names[type], def,
		       doc);
	else
		printf("  %-20s %-9s %s\n", name, type_names[type], def);
}

/* --help: the parameters with their defaults, to stdout. */
static void
usage(const struct mr_app *app)
{
	char def[64];
	size_t i;

	printf("usage: %s [key=value ...]\n\nparameters:\n", app->name);
	printf("  %-20s %-9s %-12s %s\n", "NAME", "TYPE", "DEFAULT",
	       "DESCRIPTION");
	for (i = 0; i < app->nparams; i++) {
		const struct mr_param_desc *d = &app->params[i];

		if (d->type == MR_PARAM_STRING)
			snprintf(def, sizeof def, "\"%s\"", d->def.s);
		else
			mr_param_format(d->type, d->def, def, sizeof def);
		describe(d->name, d->type, def, d->doc);
	}
	/* The runtime's own, declared in runtime/boot.c. */
	snprintf(def, sizeof def, "\"%s\"", level_names[mr_log_level()]);
	describe("log", MR_PARAM_STRING, def,
		 "log level: error, warn, info or debug");
}

static bool
needs_quotes(const char *word)
{
	return *word == '\0' || strpbrk(word, " \t\n\r\"\\") != NULL;
}

/*
 * Join argv[1..] into one line for the shared parser, quoting each word
 * that holds a blank, a quote or a backslash so that the parser reads it
 * back as it was. The line is malloc'd and never freed: string parameters
 * point into it until exit, and (line) keeps it reachable so that
 * LeakSanitizer does not call it a leak when nothing points into it.
 */
static char *line;

static char *
join(int argc, char **argv)
{
	char *p;
	const char *s;
	size_t len = 1;
	int i;

	for (i = 1; i < argc; i++)
		len += 2 * strlen(argv[i]) + 3;
	if ((p = line = malloc(len)) == NULL)
		mr_panic("out of memory for the command line");
	for (i = 1; i < argc; i++) {
		if (i > 1)
			*p++ = ' ';
		if (!needs_quotes(argv[i])) {
			p = stpcpy(p, argv[i]);
			continue;
		}
		*p++ = '"';
		for (s = argv[i]; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p = '\0';
	return line;
}

void
mr_unix_main(int argc, char **argv, const struct mr_app *app)
{
	int i;

	/* Time since boot counts from here. */
	(void)mr_plat_clock_monotonic();

	/* Make printf behave like a console: each line as soon as it ends. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(app);
			exit(0);
		}
	}
	crash_install();
	stop_install();
	mr_boot(app, join(argc, argv));
}
