/*
 * boot.c: from the platform's entry point to the end of the application.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* The runtime's own parameters come first in the table. */
#define NRUNTIME 1

/* Longest error message; longer ones are cut. */
#define ERR_MAX 256

static const struct mr_app *booted;

/* Say why the command line is refused, in one console write, and stop. */
static MR_NORETURN void
bad_param(const char *why)
{
	char line[ERR_MAX + 32];
	int n;

	n = snprintf(line, sizeof line, "mirari: boot parameter %s\n", why);
	mr_plat_console_write(line, (size_t)n < sizeof line ? (size_t)n :
			      sizeof line - 1);
	mr_plat_exit(2);
}

static void
main_thread(void *arg)
{
	const struct mr_app *app = arg;

	app->main();
}

/*
 * The parameter tables are malloc'd once and never freed: the accessors
 * read them until exit, and string values point into (cmdline).
 */
void
mr_boot(const struct mr_app *app, char *cmdline)
{
	struct mr_param_desc *desc;
	union mr_param_value *values;
	size_t i, n = NRUNTIME + app->nparams;
	char err[ERR_MAX];
	int level;

	static char empty[1];

	if (cmdline == NULL)
		cmdline = empty;
	booted = app;
	desc = malloc(n * sizeof *desc);
	values = malloc(n * sizeof *values);
	if (desc == NULL || values == NULL)
		mr_panic("out of memory for %zu parameters", n);
	/*
	 * log= is a string rather than an int so that users write log=debug;
	 * the word is checked below, after the parser.
	 */
	desc[0] = (struct mr_param_desc){
		.name = "log",
		.type = MR_PARAM_STRING,
		.def.s = log_level_name(MR_CFG_RUNTIME_LOG_LEVEL),
		.max = 5,
		.doc = "log level: error, warn, info or debug",
	};
	for (i = 0; i < app->nparams; i++)
		desc[NRUNTIME + i] = app->params[i];

	if (mr_params_parse(desc, n, values, cmdline, err, sizeof err) != MR_OK)
		bad_param(err);
	if ((level = log_level_parse(values[0].s)) < 0) {
		snprintf(err, sizeof err, "log=%s: expected error, warn, "
			 "info or debug", values[0].s);
		bad_param(err);
	}
	param_install(desc, values, n);
	mr_log_set_level((enum mr_log_level)level);
	mr_debug("booting %s on %s", app->name, mr_target());

	for (i = 0; i < app->ninits; i++)
		app->inits[i]();
	if (app->main != NULL && mr_thread_spawn("main", main_thread,
						 (void *)app) == NULL)
		mr_panic("no memory for the main thread");
	sched_run();
	mr_exit(0);
}

const struct mr_device_desc *
mr_device(const char *kind, unsigned int index)
{
	size_t i;

	if (booted == NULL)
		return NULL;
	for (i = 0; i < booted->ndevices; i++)
		if (strcmp(booted->devices[i].kind, kind) == 0 && index-- == 0)
			return &booted->devices[i];
	return NULL;
}

mr_result_t
mr_device_setting(const struct mr_device_desc *dev, const char *key,
		  char *buf, size_t size)
{
	const char *s = dev->settings, *end;
	size_t klen = strlen(key), vlen;
	char name[128];

	/*
	 * A boot parameter DEVICE.KEY overrides app.conf; the generated glue
	 * declares one, with app.conf's value as its default, for every
	 * setting a boot parameter may change (config/dsl.lua), and an empty
	 * value means "not set".
	 */
	if ((size_t)snprintf(name, sizeof name, "%s.%s", dev->name, key) <
	    sizeof name && (s = param_find_string(name)) != NULL) {
		if (*s == '\0')
			return MR_ENOENT;
		if (strlen(s) >= size)
			return MR_ENOMEM;
		memcpy(buf, s, strlen(s) + 1);
		return MR_OK;
	}
	s = dev->settings;
	while (s != NULL && *s != '\0') {
		end = strchr(s, ' ');
		if (end == NULL)
			end = s + strlen(s);
		if ((size_t)(end - s) > klen && strncmp(s, key, klen) == 0 &&
		    s[klen] == '=') {
			vlen = (size_t)(end - s) - klen - 1;
			if (vlen >= size)
				return MR_ENOMEM;
			memcpy(buf, s + klen + 1, vlen);
			buf[vlen] = '\0';
			return MR_OK;
		}
		s = *end == ' ' ? end + 1 : end;
	}
	return MR_ENOENT;
}

const char *
mr_app_name(void)
{
	return booted != NULL ? booted->name : MR_CFG_APP_NAME;
}

const char *
mr_target(void)
{
	return mr_plat_target();
}
