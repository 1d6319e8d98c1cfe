/*
 * param.c: boot parameters: the shared parser and the accessors.
 *
 * The parser works in place on the caller's line and never allocates but
 * for one byte per declared parameter, to notice a key given twice. Every
 * error names the word as the parser understood it (quotes removed), which
 * is also how the user would write it again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Keys longer than this get no "did you mean" suggestion. */
#define SUGGEST_MAX 64

struct unit {
	const char *suffix;
	int64_t scale;
};

/* Largest first, which is the order mr_param_format() tries them. */
static const struct unit size_units[] = {
	{ "G", INT64_C(1) << 30 }, { "M", INT64_C(1) << 20 },
	{ "K", INT64_C(1) << 10 }, { "", 1 }, { NULL, 0 }
};

static const struct unit duration_units[] = {
	{ "h", MR_SEC(3600) }, { "m", MR_SEC(60) }, { "s", MR_SEC(1) },
	{ "ms", MR_MSEC(1) }, { "us", MR_USEC(1) }, { "ns", 1 },
	{ "", MR_SEC(1) }, { NULL, 0 }
};

static const char *const type_names[] = {
	[MR_PARAM_INT] = "an int",
	[MR_PARAM_BOOL] = "a bool",
	[MR_PARAM_STRING] = "a string",
	[MR_PARAM_SIZE] = "a size",
	[MR_PARAM_DURATION] = "a duration",
};

static const char *const syntax_errors[] = {
	[MR_PARAM_INT] = "expected an integer",
	[MR_PARAM_BOOL] = "expected true/false, yes/no, on/off or 1/0",
	[MR_PARAM_SIZE] = "expected a size: bytes, or a number with K, M or G",
	[MR_PARAM_DURATION] =
	    "expected a duration: a number with ns, us, ms, s, m or h",
};

static mr_result_t
fail(char *err, size_t errlen, const char *fmt, ...) MR_PRINTF(3, 4);

static mr_result_t
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return MR_EINVAL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The end of the word that starts at (s): the first blank outside double
 * quotes, or the end of the line. NULL if a quote is never closed.
 */
static char *
word_end(char *s)
{
	bool quoted = false;

	for (; *s != '\0' && (quoted || !is_blank(*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
	}
	return quoted ? NULL : s;
}

/*
 * Remove the quotes of the word [s, end) and the backslash of each \" and
 * \\ inside them, and NUL-terminate it. It only shrinks, so this is done in
 * place; *end itself may be overwritten.
 */
static void
unquote(char *s, const char *end)
{
	char *w = s;
	bool quoted = false;

	for (; s < end; s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		*w++ = *s;
	}
	*w = '\0';
}

enum { NUM_OK, NUM_SYNTAX, NUM_RANGE };

/*
 * Read (s), an optional sign, decimal digits and one of the suffixes of
 * (units), into (*v) scaled by the suffix's unit. Digits are accumulated
 * as a negative number, whose range includes INT64_MIN.
 */
static int
read_number(const char *s, const struct unit *units, int64_t *v)
{
	bool neg = *s == '-', range = false;
	int64_t x = 0;
	int d;

	if (*s == '-' || *s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return NUM_SYNTAX;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = *s - '0';
		if (x < INT64_MIN / 10 || (x == INT64_MIN / 10 && d > 8))
			range = true;
		else
			x = x * 10 - d;
	}
	for (; units->suffix != NULL; units++)
		if (strcmp(s, units->suffix) == 0)
			break;
	if (units->suffix == NULL)
		return NUM_SYNTAX;
	if (range || (!neg && x == INT64_MIN) ||
	    x < INT64_MIN / units->scale)
		return NUM_RANGE;
	x *= units->scale;
	if (!neg && x == INT64_MIN)
		return NUM_RANGE;
	*v = neg ? x : -x;
	return NUM_OK;
}

static int
read_bool(const char *s, bool *b)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "1", "0", NULL
	};
	int i;

	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(s, words[i]) == 0) {
			*b = i % 2 == 0;
			return NUM_OK;
		}
	}
	return NUM_SYNTAX;
}

/* Parse (value), given for (d) as "key=value", into (*v). */
static mr_result_t
parse_value(const struct mr_param_desc *d, const char *key, const char *value,
	    union mr_param_value *v, char *err, size_t errlen)
{
	static const struct unit no_units[] = { { "", 1 }, { NULL, 0 } };
	char bound[32];
	int r;

	switch (d->type) {
	case MR_PARAM_STRING:
		if ((int64_t)strlen(value) > d->max)
			return fail(err, errlen, "%s=%s: longer than %lld "
				    "bytes", key, value, (long long)d->max);
		v->s = value;
		return MR_OK;
	case MR_PARAM_BOOL:
		r = read_bool(value, &v->b);
		break;
	case MR_PARAM_SIZE:
		r = read_number(value, size_units, &v->i);
		break;
	case MR_PARAM_DURATION:
		r = read_number(value, duration_units, &v->i);
		break;
	default:
		r = read_number(value, no_units, &v->i);
		break;
	}
	if (r == NUM_SYNTAX)
		return fail(err, errlen, "%s=%s: %s", key, value,
			    syntax_errors[d->type]);
	if (r == NUM_RANGE)
		return fail(err, errlen, "%s=%s: out of range", key, value);
	if (d->type == MR_PARAM_BOOL)
		return MR_OK;
	if (v->i < d->min) {
		mr_param_format(d->type, (union mr_param_value){ .i = d->min },
				bound, sizeof bound);
		return fail(err, errlen, "%s=%s: below the minimum %s", key,
			    value, bound);
	}
	if (v->i > d->max) {
		mr_param_format(d->type, (union mr_param_value){ .i = d->max },
				bound, sizeof bound);
		return fail(err, errlen, "%s=%s: above the maximum %s", key,
			    value, bound);
	}
	return MR_OK;
}

/* The edit distance between (a) and (b), b at most SUGGEST_MAX long. */
static size_t
distance(const char *a, const char *b)
{
	size_t row[SUGGEST_MAX + 1], lb = strlen(b), i, j, diag, up, best;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; a[i - 1] != '\0'; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The declared name closest to (key) within two edits, or NULL. */
static const char *
suggest(const struct mr_param_desc *desc, size_t n, const char *key)
{
	const char *best = NULL;
	size_t i, d, bestd = 3, len = strlen(key);

	for (i = 0; i < n; i++) {
		size_t l = strlen(desc[i].name);

		if (l > SUGGEST_MAX || l > len + 2 || len > l + 2)
			continue;
		if ((d = distance(key, desc[i].name)) < bestd) {
			best = desc[i].name;
			bestd = d;
		}
	}
	return best;
}

static mr_result_t
parse_words(const struct mr_param_desc *desc, size_t n,
	    union mr_param_value *values, unsigned char *seen, char *line,
	    char *err, size_t errlen)
{
	char *word, *end, *eq, *next;
	const char *hint;
	size_t i;

	for (word = line;; word = next) {
		while (is_blank(*word))
			word++;
		if (*word == '\0')
			return MR_OK;
		if ((end = word_end(word)) == NULL)
			return fail(err, errlen, "%s: unterminated quote",
				    word);
		next = *end == '\0' ? end : end + 1;
		unquote(word, end);

		if ((eq = strchr(word, '=')) == NULL || eq == word)
			return fail(err, errlen, "%s: expected key=value",
				    word);
		*eq = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(word, desc[i].name) == 0)
				break;
		if (i == n && (hint = suggest(desc, n, word)) != NULL)
			return fail(err, errlen, "%s=%s: unknown parameter "
				    "'%s' (did you mean '%s'?)", word, eq + 1,
				    word, hint);
		if (i == n)
			return fail(err, errlen, "%s=%s: unknown parameter "
				    "'%s'", word, eq + 1, word);
		if (seen[i])
			return fail(err, errlen, "%s=%s: '%s' is given twice",
				    word, eq + 1, word);
		seen[i] = 1;
		if (parse_value(&desc[i], word, eq + 1, &values[i], err,
				errlen) != MR_OK)
			return MR_EINVAL;
	}
}

mr_result_t
mr_params_parse(const struct mr_param_desc *desc, size_t n,
		union mr_param_value *values, char *line, char *err,
		size_t errlen)
{
	unsigned char *seen;
	mr_result_t r;
	size_t i;

	if (errlen > 0)
		err[0] = '\0';
	for (i = 0; line[i] != '\0'; i++)
		if (i == MR_PARAMS_MAX_LINE)
			return fail(err, errlen, "the command line is longer "
				    "than %d bytes", MR_PARAMS_MAX_LINE);
	for (i = 0; i < n; i++)
		values[i] = desc[i].def;
	if ((seen = calloc(n + 1, 1)) == NULL) {
		fail(err, errlen, "out of memory");
		return MR_ENOMEM;
	}
	r = parse_words(desc, n, values, seen, line, err, errlen);
	free(seen);
	return r;
}

int
mr_param_format(enum mr_param_type type, union mr_param_value v, char *buf,
		size_t len)
{
	const struct unit *u;

	switch (type) {
	case MR_PARAM_BOOL:
		return snprintf(buf, len, "%s", v.b ? "true" : "false");
	case MR_PARAM_STRING:
		return snprintf(buf, len, "%s", v.s);
	case MR_PARAM_SIZE:
	case MR_PARAM_DURATION:
		u = type == MR_PARAM_SIZE ? size_units : duration_units;
		while (v.i % u->scale != 0 || (v.i == 0 && u->scale != 1))
			u++;
		return snprintf(buf, len, "%lld%s",
				(long long)(v.i / u->scale), u->suffix);
	default:
		return snprintf(buf, len, "%lld", (long long)v.i);
	}
}

/* The table the accessors read: mr_boot's, which lives until exit. */
static const struct mr_param_desc *table;
static const union mr_param_value *table_values;
static size_t table_n;

void
param_install(const struct mr_param_desc *desc,
	      const union mr_param_value *values, size_t n)
{
	table = desc;
	table_values = values;
	table_n = n;
}

const char *
param_find_string(const char *name)
{
	size_t i;

	for (i = 0; i < table_n; i++)
		if (table[i].type == MR_PARAM_STRING &&
		    strcmp(table[i].name, name) == 0)
			return table_values[i].s;
	return NULL;
}

static union mr_param_value
lookup(const char *name, enum mr_param_type type, const char *caller)
{
	size_t i;

	for (i = 0; i < table_n; i++) {
		if (strcmp(table[i].name, name) != 0)
			continue;
		if (table[i].type != type)
			mr_panic("%s: parameter '%s' is %s", caller, name,
				 type_names[table[i].type]);
		return table_values[i];
	}
	mr_panic("%s: no parameter '%s'", caller, name);
}

int64_t
mr_param_int(const char *name)
{
	return lookup(name, MR_PARAM_INT, "mr_param_int").i;
}

bool
mr_param_bool(const char *name)
{
	return lookup(name, MR_PARAM_BOOL, "mr_param_bool").b;
}

const char *
mr_param_string(const char *name)
{
	return lookup(name, MR_PARAM_STRING, "mr_param_string").s;
}

int64_t
mr_param_size(const char *name)
{
	return lookup(name, MR_PARAM_SIZE, "mr_param_size").i;
}

mr_time_t
mr_param_duration(const char *name)
{
	return lookup(name, MR_PARAM_DURATION, "mr_param_duration").i;
}
