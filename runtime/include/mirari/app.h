/*
 * mirari/app.h: what the generated glue hands to the runtime.
 *
 * `mirari configure` writes main.c, which defines one struct mr_app from
 * app.conf and passes it to mr_boot() from the platform's entry point.
 * Applications do not normally use this header.
 */
#ifndef MIRARI_APP_H
#define MIRARI_APP_H

#include <mirari/base.h>
#include <mirari/param.h>

/*
 * A device the image was built for (see app.conf `device`): its name, its
 * kind, and the other fields of its declaration as "key=value" words
 * separated by blanks, sorted by key ("ipv4=192.0.2.10/24 tap=tap0").
 */
struct mr_device_desc {
	const char *name;		/* "net0" */
	const char *kind;		/* "net", "block" */
	const char *settings;		/* "key=value ..." */
};

struct mr_app {
	const char *name;
	/* Library initialisers, in dependency order, then the application. */
	void (*const *inits)(void);
	size_t ninits;
	void (*main)(void);
	const struct mr_param_desc *params;
	size_t nparams;
	const struct mr_device_desc *devices;
	size_t ndevices;
};

/*
 * Boot (app): parse (cmdline) (owned by the caller, modified in place, kept
 * alive until exit; NULL is an empty line) against the app's parameters and
 * the runtime's own, run the initialisers and start app->main in a thread
 * called "main", then schedule until the application ends. Never returns.
 */
MR_API MR_NORETURN void mr_boot(const struct mr_app *app, char *cmdline);

/*
 * The (index)-th device of (kind) in app.conf order, or NULL. Drivers and
 * libraries find their devices here; the platform numbers its devices of
 * a kind the same way.
 */
MR_API const struct mr_device_desc *mr_device(const char *kind,
					      unsigned int index);

/*
 * Copy the value of setting (key) of (dev) into (buf) of (size) bytes,
 * NUL-terminated. MR_ENOENT when the device has no such setting, MR_ENOMEM
 * when it does not fit.
 */
MR_API mr_result_t mr_device_setting(const struct mr_device_desc *dev,
				     const char *key, char *buf, size_t size);

/* The application's name, as declared in app.conf. */
MR_API const char *mr_app_name(void);

/* The target the image was built for: "unix" or "xen". */
MR_API const char *mr_target(void);

#endif /* MIRARI_APP_H */
