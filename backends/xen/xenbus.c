/*
 * xenbus.c: what the split drivers (netfront.c, blkfront.c) share of the
 * xenbus protocol (xen/io/xenbus.h): the keys of a device's directories in
 * xenstore, the numbers written there, the other end's state, and waiting
 * for it to change, in a thread or at boot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <xen/io/xenbus.h>

#include "backend.h"

uint64_t
xen_pfn(const void *p)
{
	return (uint64_t)(uintptr_t)p >> PAGE_SHIFT;
}

void
xenbus_pause(mr_time_t how_long, bool in_platform)
{
	if (!in_platform && mr_thread_self() != NULL)
		mr_sleep(how_long);
	else
		evtchn_block(mr_now() + how_long);
}

/* "(dir)/(key)" into (path); false when it does not fit. */
static bool
join(char *path, size_t size, const char *dir, const char *key)
{
	return (size_t)snprintf(path, size, "%s/%s", dir, key) < size;
}

mr_result_t
xenbus_read(const char *dir, const char *key, char *buf, size_t size)
{
	char path[192];

	if (!join(path, sizeof path, dir, key))
		return MR_EINVAL;
	return mr_xs_read(MR_XS_NO_TX, path, buf, size, NULL);
}

mr_result_t
xenbus_write(mr_xs_tx_t tx, const char *dir, const char *key,
	     const char *value)
{
	char path[192];

	if (!join(path, sizeof path, dir, key))
		return MR_EINVAL;
	return mr_xs_write(tx, path, value);
}

mr_result_t
xenbus_write_uint(mr_xs_tx_t tx, const char *dir, const char *key,
		  uint64_t value)
{
	char text[24];

	snprintf(text, sizeof text, "%llu", (unsigned long long)value);
	return xenbus_write(tx, dir, key, text);
}

bool
xenbus_parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && *v <= max;
}

mr_result_t
xenbus_publish(const char *dir, const struct xenbus_key *keys, size_t n)
{
	mr_xs_tx_t tx;
	mr_result_t r;
	unsigned int attempt;
	size_t i;

	/* Another writer in between makes the commit fail: write again. */
	for (attempt = 0; attempt < 10; attempt++) {
		if ((r = mr_xs_transaction_start(&tx)) != MR_OK)
			return r;
		for (i = 0, r = MR_OK; r == MR_OK && i < n; i++)
			r = xenbus_write(tx, dir, keys[i].key, keys[i].value);
		if (r != MR_OK) {
			mr_xs_transaction_end(tx, false);
			if (r == MR_EAGAIN)
				continue;
			return r;
		}
		r = mr_xs_transaction_end(tx, true);
		if (r != MR_EAGAIN)
			return r;
	}
	return MR_EAGAIN;
}

int
xenbus_state(const char *dir)
{
	char buf[16];
	uint64_t v;

	if (xenbus_read(dir, "state", buf, sizeof buf) != MR_OK ||
	    !xenbus_parse_uint(buf, 100, &v))
		return -1;
	return (int)v;
}

bool
xenbus_wait_state(const char *who, const char *dir, int want,
		  mr_time_t limit, bool in_platform)
{
	mr_time_t deadline = mr_now() + limit;
	int s;

	for (;;) {
		s = xenbus_state(dir);
		if (s >= want && (s < XenbusStateClosing ||
				  want >= XenbusStateClosing))
			return true;
		if (s < 0 || (s >= XenbusStateClosing &&
			      want < XenbusStateClosing)) {
			mr_error("%s: the backend %s is %s", who, dir,
				 s < 0 ? "gone" : "closing");
			return false;
		}
		if (mr_now() >= deadline) {
			mr_error("%s: the backend %s stayed in state %d; "
				 "waited for %d", who, dir, s, want);
			return false;
		}
		xenbus_pause(XENBUS_POLL, in_platform);
	}
}
