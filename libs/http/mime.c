/*
 * mime.c: Content-Type by file extension, from a fixed table. A site's
 * files are known when the image is built; a type that is missing here
 * is served as application/octet-stream, which browsers download rather
 * than guess at (with X-Content-Type-Options: nosniff, see server.c).
 */
#include <string.h>
#include <strings.h>

#include "parse.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "webp", "image/webp" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "xml", "application/xml" },
	{ "woff2", "font/woff2" },
};

const char *
http_content_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}
