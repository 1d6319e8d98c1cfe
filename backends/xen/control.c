/*
 * control.c: how the domain ends, and what the toolstack asks of it.
 *
 * Shutdown requests arrive in xenstore's control/shutdown, written by
 * `xl shutdown` ("poweroff") or `xl reboot` ("reboot"); a watch turns each
 * into a handler thread that acknowledges the request by clearing the node
 * and ends the domain with the matching reason; others ("suspend", from
 * `xl save`) are declined. An exit status of 0 is a poweroff; anything
 * else is printed and ends the domain as a crash, which `mirari run`
 * reports with the status.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <stdio.h>
#include <string.h>

#include <xen/sched.h>

#include "backend.h"
#include "hypercall.h"

#define CLOSERS	4

static struct mr_xs_watch shutdown_watch;
static void (*closers[CLOSERS])(void);
static unsigned int nclosers;

void
control_on_close(void (*fn)(void))
{
	unsigned int i;

	for (i = 0; i < nclosers; i++)
		if (closers[i] == fn)
			return;
	if (nclosers == CLOSERS)
		mr_panic("control_on_close: more than %d drivers", CLOSERS);
	closers[nclosers++] = fn;
}

/* Close the devices, once: a closer that exits again must not recurse. */
static void
close_devices(void)
{
	static bool closing;
	unsigned int i;

	if (closing)
		return;
	closing = true;
	for (i = 0; i < nclosers; i++)
		closers[i]();
}

void
control_shutdown(unsigned int reason)
{
	struct sched_shutdown s = { .reason = reason };

	console_flush();
	for (;;) {
		hyp_sched_op(SCHEDOP_shutdown, &s);
		__asm__ volatile("cli; hlt");
	}
}

static void
shutdown_requested(void *arg)
{
	char what[32];

	(void)arg;
	if (mr_xs_read(MR_XS_NO_TX, "control/shutdown", what, sizeof what,
		       NULL) != MR_OK || what[0] == '\0')
		return;		/* the watch's first firing, or a stale one */
	if (strcmp(what, "poweroff") != 0 && strcmp(what, "halt") != 0 &&
	    strcmp(what, "reboot") != 0) {
		/*
		 * A request we cannot honour (suspend: xl save, xl migrate)
		 * is declined by leaving it unacknowledged: the toolstack then
		 * gives up (libxl after 60 s: "guest didn't acknowledge
		 * suspend, cancelling request"), clears the node and fails the
		 * command, and the domain runs on. Clearing the node would say
		 * "suspending now", and libxl would wait for a suspend that
		 * never comes before it fails the same way.
		 */
		mr_warn("declining the shutdown request '%s': this guest "
			"cannot do it (no suspend or resume); it keeps running",
			what);
		return;
	}
	mr_xs_write(MR_XS_NO_TX, "control/shutdown", "");
	mr_info("shutdown requested: %s", what);
	if (strcmp(what, "reboot") == 0) {
		close_devices();
		control_shutdown(SHUTDOWN_reboot);
	}
	mr_exit(0);
}

void
control_init(void)
{
	mr_result_t r;

	/* Tell the toolstack which requests we honour; it may not let us. */
	mr_xs_write(MR_XS_NO_TX, "control/feature-poweroff", "1");
	mr_xs_write(MR_XS_NO_TX, "control/feature-reboot", "1");
	r = xenstore_watch(&shutdown_watch, "control/shutdown", "shutdown",
			   shutdown_requested, NULL);
	if (r != MR_OK)
		mr_warn("cannot watch control/shutdown (%s): xl shutdown will "
			"not work", mr_strerror(r));
}

/*
 * The image was built for the devices in app.conf; each must be in the
 * domain's xenstore (device/vif/N for the N-th net device, device/vbd/... for
 * block devices), or the application would fail later in a less clear way.
 */
void
control_check_devices(const struct mr_app *app)
{
	static const struct {
		const char *kind, *dir, *xl;
	} dirs[] = {
		{ "net", "device/vif", "vif" },
		{ "block", "device/vbd", "disk" },
	};
	char buf[256];
	const char *names[16];
	size_t i, k, n, seen[2] = { 0, 0 };

	for (i = 0; i < app->ndevices; i++) {
		for (k = 0; k < 2; k++)
			if (strcmp(app->devices[i].kind, dirs[k].kind) == 0)
				break;
		if (k == 2)
			continue;
		n = 0;
		if (mr_xs_directory(MR_XS_NO_TX, dirs[k].dir, buf, sizeof buf,
				    names, 16, &n) != MR_OK || n <= seen[k]) {
			char line[200];
			int len = snprintf(line, sizeof line,
			    "mirari: device %s (%s) is missing: this domain has "
			    "%zu entries in %s in xenstore, it needs %zu (is "
			    "there a %s= line in its xl config?)\n",
			    app->devices[i].name, app->devices[i].kind, n,
			    dirs[k].dir, seen[k] + 1, dirs[k].xl);
			mr_plat_console_write(line, (size_t)len < sizeof line ?
			    (size_t)len : sizeof line - 1);
			control_shutdown(SHUTDOWN_crash);
		}
		seen[k]++;
	}
}

void
mr_plat_exit(int status)
{
	char line[48];
	int n;

	fflush(stdout);
	if (status != 0) {
		n = snprintf(line, sizeof line, "mirari: exit status %d\n",
			     status);
		mr_plat_console_write(line, (size_t)n);
	} else {
		close_devices();
	}
	control_shutdown(status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

void
mr_plat_crash(void)
{
	fflush(stdout);
	control_shutdown(SHUTDOWN_crash);
}

const char *
mr_plat_target(void)
{
	return "xen";
}
