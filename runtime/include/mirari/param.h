/*
 * mirari/param.h: runtime (boot) parameters.
 *
 * Parameters are declared in app.conf with a type, a default and a range;
 * the generated glue passes their descriptors to mr_boot(). At boot the
 * command line (argv on Unix, xl's extra= on Xen) is parsed by one shared
 * parser, mr_params_parse(), as words of the form
 *
 *	key=value  key="value with spaces"  key="a \"quoted\" word"
 *
 * Every word must name a declared parameter and carry a valid value;
 * anything else stops the boot with a message naming the word, and the
 * application exits with status 2 before any of its code runs.
 *
 * Types and the values they accept:
 *	MR_PARAM_INT       decimal integer, optional sign, within [min, max]
 *	MR_PARAM_BOOL      true/false, yes/no, on/off, 1/0
 *	MR_PARAM_STRING    any text of at most (max) bytes
 *	MR_PARAM_SIZE      integer bytes with optional unit K, M or G (x1024),
 *	                   within [min, max]
 *	MR_PARAM_DURATION  integer with unit ns, us, ms, s, m or h (a bare
 *	                   integer is seconds), stored as nanoseconds, within
 *	                   [min, max]
 */
#ifndef MIRARI_PARAM_H
#define MIRARI_PARAM_H

#include <mirari/base.h>

enum mr_param_type {
	MR_PARAM_INT,
	MR_PARAM_BOOL,
	MR_PARAM_STRING,
	MR_PARAM_SIZE,
	MR_PARAM_DURATION
};

/* A value: .i for INT, SIZE (bytes) and DURATION (ns), .b, .s. */
union mr_param_value {
	int64_t i;
	bool b;
	const char *s;
};

struct mr_param_desc {
	const char *name;
	enum mr_param_type type;
	union mr_param_value def;	/* the default */
	int64_t min, max;		/* inclusive; STRING: max is the length */
	const char *doc;		/* one line for --help */
};

/*
 * Accessors for the application. (name) must be a parameter declared in
 * app.conf with the matching type; asking for anything else is a
 * programming error and panics. Strings stay valid until exit.
 */
MR_API int64_t mr_param_int(const char *name);
MR_API bool mr_param_bool(const char *name);
MR_API const char *mr_param_string(const char *name);
MR_API int64_t mr_param_size(const char *name);
MR_API mr_time_t mr_param_duration(const char *name);

/*
 * The shared parser, for backends and tests.
 *
 * Parse (line), a NUL-terminated command line that the parser modifies in
 * place and that the caller keeps alive while the values are used (string
 * values point into it). (values) has room for (n) entries and receives the
 * default of every parameter the line does not name. On error, (err)
 * receives one line (no newline, truncated to (errlen)) naming the offending
 * word, e.g. "count=abc: expected an integer", and the result is MR_EINVAL;
 * (values) is then unspecified. A line longer than MR_PARAMS_MAX_LINE bytes
 * is rejected.
 */
#define MR_PARAMS_MAX_LINE 4096

MR_API mr_result_t mr_params_parse(const struct mr_param_desc *desc, size_t n,
				   union mr_param_value *values, char *line,
				   char *err, size_t errlen);

/*
 * Write (value), of type (type), into (buf) of (len) bytes in the notation
 * the parser reads, with the largest unit that is exact: "16M", "30s",
 * "true"; a string as it is. Returns the length it needed, like snprintf.
 * For --help and for error messages.
 */
MR_API int mr_param_format(enum mr_param_type type, union mr_param_value value,
			   char *buf, size_t len);

#endif /* MIRARI_PARAM_H */
