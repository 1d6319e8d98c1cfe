/*
 * xstest: the xenstore client against the real xenstored. Every line it
 * prints is "name: result", which tests/xen/backend.t compares.
 */
#include <stdio.h>
#include <string.h>

#include <mirari/mirari.h>
#include <mirari/xen.h>

static struct mr_xs_watch watch, stop_watch;
static struct mr_event fired = MR_EVENT_INIT(fired);
static int firings;

static void
say(const char *what, mr_result_t r)
{
	printf("%s: %s\n", what, mr_strerror(r));
}

static void
changed(void *arg)
{
	(void)arg;
	firings++;
	mr_event_signal(&fired);
}

/*
 * mode=watch: main registers a watch on data/stop and returns; the watch
 * alone keeps the application alive until someone writes data/stop.
 */
static void
stop_changed(void *arg)
{
	char buf[8];

	(void)arg;
	if (mr_xs_read(MR_XS_NO_TX, "data/stop", buf, sizeof buf, NULL) != MR_OK)
		return;
	printf("stop: %s\n", buf);
	mr_xs_unwatch(&stop_watch);
}

static void
watch_only(void)
{
	mr_xs_rm(MR_XS_NO_TX, "data/stop");
	say("watching", mr_xs_watch(&stop_watch, "data/stop", "stopper",
				    stop_changed, NULL));
}

void
xstest_main(void)
{
	char buf[64], small[4];
	const char *names[8];
	size_t n, len;
	mr_xs_tx_t tx;
	mr_result_t r;

	if (strcmp(mr_param_string("mode"), "watch") == 0) {
		watch_only();
		return;
	}
	say("read missing", mr_xs_read(MR_XS_NO_TX, "data/missing", buf,
				       sizeof buf, NULL));
	say("write", mr_xs_write(MR_XS_NO_TX, "data/a", "hello"));
	r = mr_xs_read(MR_XS_NO_TX, "data/a", buf, sizeof buf, &len);
	printf("read: %s %s %zu\n", mr_strerror(r), buf, len);
	say("read too small", mr_xs_read(MR_XS_NO_TX, "data/a", small,
					 sizeof small, NULL));
	say("bad path", mr_xs_read(MR_XS_NO_TX, "data//a", buf, sizeof buf,
				   NULL));
	mr_xs_write(MR_XS_NO_TX, "data/b", "2");
	r = mr_xs_directory(MR_XS_NO_TX, "data", buf, sizeof buf, names, 8, &n);
	printf("directory: %s %zu", mr_strerror(r), n);
	for (size_t i = 0; i < n && i < 8; i++)
		printf(" %s", names[i]);
	printf("\n");

	say("transaction start", mr_xs_transaction_start(&tx));
	say("write in transaction", mr_xs_write(tx, "data/c", "3"));
	say("transaction end", mr_xs_transaction_end(tx, true));
	r = mr_xs_read(MR_XS_NO_TX, "data/c", buf, sizeof buf, NULL);
	printf("read after commit: %s %s\n", mr_strerror(r), buf);
	mr_xs_transaction_start(&tx);
	mr_xs_write(tx, "data/d", "4");
	mr_xs_transaction_end(tx, false);
	say("read after abort", mr_xs_read(MR_XS_NO_TX, "data/d", buf,
					   sizeof buf, NULL));

	/* A watch fires once when registered, then once per change. */
	say("watch", mr_xs_watch(&watch, "data/w", "watcher", changed, NULL));
	while (firings < 1)
		mr_event_wait(&fired, MR_FOREVER);
	mr_xs_write(MR_XS_NO_TX, "data/w", "x");
	while (firings < 2)
		if (mr_event_wait(&fired, mr_now() + MR_SEC(10)) == MR_ETIMEDOUT)
			break;
	printf("watch fired: %d\n", firings);
	say("unwatch", mr_xs_unwatch(&watch));
	say("rm", mr_xs_rm(MR_XS_NO_TX, "data/a"));
	say("read removed", mr_xs_read(MR_XS_NO_TX, "data/a", buf, sizeof buf,
				       NULL));
	printf("domid: %u\n", mr_xen_domid());
}
