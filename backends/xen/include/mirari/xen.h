/*
 * mirari/xen.h: what the Xen backend offers drivers and applications:
 * xenstore, grant tables and event channels.
 *
 * Every call that talks to xenstore blocks the calling thread
 * cooperatively until the answer arrives (other threads run meanwhile) or
 * the deadline MR_CFG_XEN_XENSTORE_TIMEOUT passes; called outside a thread
 * (from a library's init function) it waits in the platform instead.
 * Results are mr_result_t: MR_ENOENT for a missing node, MR_EAGAIN for a
 * transaction to retry, MR_ENOMEM when a buffer is too small, MR_ETIMEDOUT,
 * MR_EINVAL for a malformed path; never an error string to free.
 */
#ifndef MIRARI_XEN_H
#define MIRARI_XEN_H

#include <mirari/base.h>
#include <mirari/list.h>

/* A xenstore transaction; MR_XS_NO_TX outside any. */
typedef uint32_t mr_xs_tx_t;
#define MR_XS_NO_TX 0

/*
 * Read (path) into (buf), NUL-terminated, and its length without the NUL
 * into (*len) if (len) is not NULL. MR_ENOMEM when it does not fit in
 * (size) bytes.
 */
MR_API mr_result_t mr_xs_read(mr_xs_tx_t tx, const char *path, char *buf,
			      size_t size, size_t *len);

/* Write (value), a string, to (path), creating the node if needed. */
MR_API mr_result_t mr_xs_write(mr_xs_tx_t tx, const char *path,
			       const char *value);

/* Remove (path) and everything below it. */
MR_API mr_result_t mr_xs_rm(mr_xs_tx_t tx, const char *path);

/*
 * List the children of (path). Their names are copied into (buf) (of
 * (size) bytes) and (names[i]) point into it, at most (max) of them; the
 * number found is in (*n). MR_ENOMEM when buf or names is too small.
 */
MR_API mr_result_t mr_xs_directory(mr_xs_tx_t tx, const char *path,
				   char *buf, size_t size, const char **names,
				   size_t max, size_t *n);

/*
 * Transactions: start one, use its id in the calls above, end it with
 * (commit) true to apply or false to abandon. Ending with commit returns
 * MR_EAGAIN when xenstore changed meanwhile: start again.
 */
MR_API mr_result_t mr_xs_transaction_start(mr_xs_tx_t *tx);
MR_API mr_result_t mr_xs_transaction_end(mr_xs_tx_t tx, bool commit);

/*
 * Watches are handlers: while (watch) is registered, changes at or below
 * (path) run fn(arg) in a thread called (name). xenstore fires a watch
 * once when it is registered, so a handler always sees the current state
 * at least once. Changes that come while the handler runs are coalesced:
 * it runs once more after it returns, not once per change, so a burst of
 * changes costs one thread. A handler already running when mr_xs_unwatch
 * is called finishes its run. The caller owns (watch) and (path) until
 * mr_xs_unwatch and the end of any run.
 */
struct mr_xs_watch {
	/* private */
	struct mr_link link;
	const char *path;
	const char *name;
	void (*fn)(void *arg);
	void *arg;
	bool running, again;
	char token[24];
};

MR_API mr_result_t mr_xs_watch(struct mr_xs_watch *watch, const char *path,
			       const char *name, void (*fn)(void *arg),
			       void *arg);
MR_API mr_result_t mr_xs_unwatch(struct mr_xs_watch *watch);

/* This domain's id, from xenstore's "domid". */
MR_API uint16_t mr_xen_domid(void);

/*
 * Grant tables (version 1): let domain (domid) access the page at
 * physical frame (pfn), read-only if (readonly). The reference to give the
 * other side is stored in (*ref). mr_gnttab_end revokes it; MR_EAGAIN
 * means the other side still has it mapped and the page must not be
 * reused yet.
 */
MR_API mr_result_t mr_gnttab_grant(uint16_t domid, uint64_t pfn,
				   bool readonly, uint32_t *ref);
MR_API mr_result_t mr_gnttab_end(uint32_t ref);

/*
 * Event channels for drivers. mr_evtchn_alloc_unbound makes a port that
 * domain (remote) can bind to; mr_evtchn_open turns a port into a runtime
 * event source (see mirari/plat.h: wait on mr_source_event(handle)).
 */
MR_API mr_result_t mr_evtchn_alloc_unbound(uint16_t remote, uint32_t *port);
MR_API mr_result_t mr_evtchn_open(uint32_t port, int *handle);
MR_API void mr_evtchn_close(uint32_t port, int handle);
MR_API void mr_evtchn_notify(uint32_t port);

#endif /* MIRARI_XEN_H */
