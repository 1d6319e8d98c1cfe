/*
 * site.c: the C part of examples/website. The http handler set serves the
 * files of htdocs/ on its own (and its counters at /status, the option
 * status of app.conf); the application adds /uptime, a route that answers
 * with how long the image has been up and how many times the route was
 * asked, to show routes next to files.
 */
#include <stdio.h>

#include <mirari/mirari.h>
#include <mirari/http.h>

static unsigned long asked;

static void
uptime(struct mr_http_request *req, void *arg)
{
	char body[128];
	int n;

	(void)arg;
	asked++;
	n = snprintf(body, sizeof body,
		     "{\"app\":\"%s\",\"target\":\"%s\",\"uptime_ms\":%lld,"
		     "\"asked\":%lu}\n", mr_app_name(), mr_target(),
		     (long long)(mr_now() / MR_MSEC(1)), asked);
	mr_http_respond(req, 200, "application/json", body, (size_t)n);
}

void
site_main(void)
{
	mr_result_t r;

	if ((r = mr_http_route("GET", "/uptime", uptime, NULL)) != MR_OK)
		mr_panic("cannot add the route /uptime: %s", mr_strerror(r));
}
