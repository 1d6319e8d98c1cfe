/*
 * param.c: the boot parameter parser, every rule of mirari/param.h and
 * every message, and the accessors.
 */
#include <stdint.h>

#include "runtime.h"
#include "child.h"
#include "tap.h"

static const struct mr_param_desc desc[] = {
	{ "count", MR_PARAM_INT, { .i = 3 }, 0, 10, "how many" },
	{ "big", MR_PARAM_INT, { .i = 0 }, INT64_MIN, INT64_MAX, NULL },
	{ "verbose", MR_PARAM_BOOL, { .b = false }, 0, 0, NULL },
	{ "name", MR_PARAM_STRING, { .s = "world" }, 0, 16, NULL },
	{ "heap", MR_PARAM_SIZE, { .i = 1 << 20 }, 4096, 1 << 30, NULL },
	{ "bytes", MR_PARAM_SIZE, { .i = 0 }, 0, INT64_MAX, NULL },
	{ "timeout", MR_PARAM_DURATION, { .i = MR_SEC(30) }, MR_MSEC(10),
	  MR_SEC(3600), NULL },
	{ "delay", MR_PARAM_DURATION, { .i = 0 }, INT64_MIN, INT64_MAX, NULL },
};

enum { COUNT, BIG, VERBOSE, NAME, HEAP, BYTES, TIMEOUT, DELAY, N };

static union mr_param_value v[N];
static char line[MR_PARAMS_MAX_LINE + 16];
static char err[256];

/* Parse a copy of (text); the copy stays alive for the string values. */
static mr_result_t
parse(const char *text)
{
	snprintf(line, sizeof line, "%s", text);
	return mr_params_parse(desc, N, v, line, err, sizeof err);
}

/* (text) parses, and parameter (i) then holds (want) as an integer. */
static void
parses_int(const char *text, int i, int64_t want)
{
	mr_result_t r = parse(text);

	if (!ok(r == MR_OK && v[i].i == want, "%s", text))
		tap_diag("result %d, err '%s', got %lld, want %lld", r, err,
			 (long long)v[i].i, (long long)want);
}

static void
parses_str(const char *text, const char *want)
{
	mr_result_t r = parse(text);

	if (!ok(r == MR_OK && strcmp(v[NAME].s, want) == 0, "%s", text))
		tap_diag("result %d, err '%s', got '%s', want '%s'", r, err,
			 r == MR_OK ? v[NAME].s : "", want);
}

/* (text) is refused with exactly (msg). */
static void
fails(const char *text, const char *msg)
{
	mr_result_t r = parse(text);

	if (!ok(r == MR_EINVAL && strcmp(err, msg) == 0, "refused: %s", msg))
		tap_diag("result %d, err '%s'", r, err);
}

static void
test_defaults(void)
{
	ok(parse("") == MR_OK && err[0] == '\0', "an empty line is fine");
	ok(v[COUNT].i == 3 && !v[VERBOSE].b && strcmp(v[NAME].s, "world") == 0
	   && v[HEAP].i == 1 << 20 && v[TIMEOUT].i == MR_SEC(30),
	   "... and every parameter gets its default");
	ok(parse(" \t\n ") == MR_OK, "so is a blank one");
	ok(parse("  count=5\tverbose=yes\n  name=hi  ") == MR_OK &&
	   v[COUNT].i == 5 && v[VERBOSE].b && strcmp(v[NAME].s, "hi") == 0 &&
	   v[HEAP].i == 1 << 20, "words are separated by any blanks; the "
	   "others keep their defaults");
}

static void
test_int(void)
{
	parses_int("count=7", COUNT, 7);
	parses_int("count=+7", COUNT, 7);
	parses_int("count=-0", COUNT, 0);
	parses_int("count=007", COUNT, 7);
	parses_int("big=9223372036854775807", BIG, INT64_MAX);
	parses_int("big=-9223372036854775808", BIG, INT64_MIN);
	fails("big=9223372036854775808",
	      "big=9223372036854775808: out of range");
	fails("big=-9223372036854775809",
	      "big=-9223372036854775809: out of range");
	fails("count=99999999999999999999",
	      "count=99999999999999999999: out of range");
	fails("count=abc", "count=abc: expected an integer");
	fails("count=", "count=: expected an integer");
	fails("count=1x", "count=1x: expected an integer");
	fails("count=3.5", "count=3.5: expected an integer");
	fails("count=-", "count=-: expected an integer");
	fails("count= 1", "count=: expected an integer");
	fails("count=-1", "count=-1: below the minimum 0");
	fails("count=11", "count=11: above the maximum 10");
}

static void
test_bool(void)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char text[32];
	int i, good = 0;

	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof text, "verbose=%s", yes[i]);
		good += parse(text) == MR_OK && v[VERBOSE].b;
		snprintf(text, sizeof text, "verbose=%s", no[i]);
		good += parse(text) == MR_OK && !v[VERBOSE].b;
	}
	is_int(good, 8, "true/false, yes/no, on/off and 1/0 are bools");
	fails("verbose=maybe",
	      "verbose=maybe: expected true/false, yes/no, on/off or 1/0");
	fails("verbose=TRUE",
	      "verbose=TRUE: expected true/false, yes/no, on/off or 1/0");
	fails("verbose=",
	      "verbose=: expected true/false, yes/no, on/off or 1/0");
}

static void
test_string(void)
{
	parses_str("name=hello", "hello");
	parses_str("name=", "");
	parses_str("name=\"\"", "");
	parses_str("name=\"hello world\"", "hello world");
	parses_str("name=\"a \\\"quoted\\\" word\"", "a \"quoted\" word");
	parses_str("name=\"back\\\\slash\"", "back\\slash");
	parses_str("name=\"a\\nb\"", "a\\nb");
	parses_str("name=a\\b", "a\\b");
	parses_str("name=ab\"c d\"e", "abc de");
	parses_str("\"name=x y\"", "x y");
	parses_str("name=a=b", "a=b");
	parses_str("name=sixteen_bytes__", "sixteen_bytes__");
	fails("name=seventeen_bytes__",
	      "name=seventeen_bytes__: longer than 16 bytes");
	fails("name=\"abc", "name=\"abc: unterminated quote");
	fails("count=1 name=\"abc def",
	      "name=\"abc def: unterminated quote");
	fails("name=\"abc\\\"", "name=\"abc\\\": unterminated quote");
}

static void
test_size(void)
{
	parses_int("heap=4096", HEAP, 4096);
	parses_int("heap=64K", HEAP, 65536);
	parses_int("heap=16M", HEAP, 16 << 20);
	parses_int("heap=1G", HEAP, 1 << 30);
	parses_int("bytes=8589934591G", BYTES, INT64_MAX - (1 << 30) + 1);
	parses_int("bytes=9223372036854775807", BYTES, INT64_MAX);
	fails("bytes=8589934592G", "bytes=8589934592G: out of range");
	fails("heap=2G", "heap=2G: above the maximum 1G");
	fails("heap=1K", "heap=1K: below the minimum 4K");
	fails("heap=4095", "heap=4095: below the minimum 4K");
	fails("heap=16m",
	      "heap=16m: expected a size: bytes, or a number with K, M or G");
	fails("heap=16MB",
	      "heap=16MB: expected a size: bytes, or a number with K, M or G");
	fails("heap=M",
	      "heap=M: expected a size: bytes, or a number with K, M or G");
}

static void
test_duration(void)
{
	parses_int("timeout=10ms", TIMEOUT, MR_MSEC(10));
	parses_int("timeout=2", TIMEOUT, MR_SEC(2));
	parses_int("timeout=2s", TIMEOUT, MR_SEC(2));
	parses_int("timeout=1m", TIMEOUT, MR_SEC(60));
	parses_int("timeout=1h", TIMEOUT, MR_SEC(3600));
	parses_int("delay=1500us", DELAY, MR_USEC(1500));
	parses_int("delay=7ns", DELAY, 7);
	parses_int("delay=-5s", DELAY, -MR_SEC(5));
	parses_int("delay=9223372036854775807ns", DELAY, INT64_MAX);
	fails("delay=9223372037s", "delay=9223372037s: out of range");
	fails("timeout=1500us", "timeout=1500us: below the minimum 10ms");
	fails("timeout=2h", "timeout=2h: above the maximum 1h");
	fails("timeout=10sec", "timeout=10sec: expected a duration: a number "
	      "with ns, us, ms, s, m or h");
	fails("timeout=ms", "timeout=ms: expected a duration: a number with "
	      "ns, us, ms, s, m or h");
}

static void
test_words(void)
{
	char big[MR_PARAMS_MAX_LINE + 2], small[10];

	fails("cuont=3",
	      "cuont=3: unknown parameter 'cuont' (did you mean 'count'?)");
	fails("verbos=1",
	      "verbos=1: unknown parameter 'verbos' (did you mean 'verbose'?)");
	fails("timout=1s", "timout=1s: unknown parameter 'timout' "
	      "(did you mean 'timeout'?)");
	fails("xyzzy=1", "xyzzy=1: unknown parameter 'xyzzy'");
	fails("cnt=1",
	      "cnt=1: unknown parameter 'cnt' (did you mean 'count'?)");
	fails("cntx=1", "cntx=1: unknown parameter 'cntx'");
	fails("count=1 count=2", "count=2: 'count' is given twice");
	fails("verbose", "verbose: expected key=value");
	fails("=5", "=5: expected key=value");
	fails("count=1 \"\"", ": expected key=value");

	memset(big, ' ', MR_PARAMS_MAX_LINE);
	memcpy(big, "count=1", 7);
	big[MR_PARAMS_MAX_LINE] = '\0';
	ok(mr_params_parse(desc, N, v, big, err, sizeof err) == MR_OK &&
	   v[COUNT].i == 1, "a line of MR_PARAMS_MAX_LINE bytes is accepted");
	memset(big, ' ', MR_PARAMS_MAX_LINE + 1);
	big[MR_PARAMS_MAX_LINE + 1] = '\0';
	ok(mr_params_parse(desc, N, v, big, err, sizeof err) == MR_EINVAL &&
	   strcmp(err, "the command line is longer than 4096 bytes") == 0,
	   "a longer one is refused");

	snprintf(line, sizeof line, "count=abc");
	ok(mr_params_parse(desc, N, v, line, small, sizeof small) ==
	   MR_EINVAL && strcmp(small, "count=abc") == 0,
	   "the message is cut to fit errlen");
}

static void
test_format(void)
{
	static const struct {
		enum mr_param_type type;
		int64_t i;
		const char *want;
	} cases[] = {
		{ MR_PARAM_INT, -42, "-42" },
		{ MR_PARAM_SIZE, 16 << 20, "16M" },
		{ MR_PARAM_SIZE, 1536, "1536" },
		{ MR_PARAM_SIZE, -2048, "-2K" },
		{ MR_PARAM_SIZE, 0, "0" },
		{ MR_PARAM_DURATION, MR_SEC(60), "1m" },
		{ MR_PARAM_DURATION, MR_SEC(90), "90s" },
		{ MR_PARAM_DURATION, MR_MSEC(1500), "1500ms" },
		{ MR_PARAM_DURATION, 7, "7ns" },
		{ MR_PARAM_DURATION, 0, "0ns" },
	};
	char buf[32], label[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mr_param_format(cases[i].type,
				(union mr_param_value){ .i = cases[i].i }, buf,
				sizeof buf);
		snprintf(label, sizeof label, "%s %lld formats as %s",
			 cases[i].type == MR_PARAM_SIZE ? "size" :
			 cases[i].type == MR_PARAM_DURATION ? "duration" :
			 "int",
			 (long long)cases[i].i, cases[i].want);
		is_str(buf, cases[i].want, label);
	}
	mr_param_format(MR_PARAM_BOOL, (union mr_param_value){ .b = true },
			buf, sizeof buf);
	is_str(buf, "true", "bools format as true/false");
}

static void
wrong_type(void *arg)
{
	(void)arg;
	mr_param_bool("count");
}

static void
unknown_name(void *arg)
{
	(void)arg;
	mr_param_int("nope");
}

static void
test_accessors(void)
{
	struct child c;

	parse("count=4 verbose=on name=\"x y\" heap=8K timeout=250ms");
	param_install(desc, v, N);
	is_int(mr_param_int("count"), 4, "mr_param_int");
	ok(mr_param_bool("verbose"), "mr_param_bool");
	is_str(mr_param_string("name"), "x y", "mr_param_string");
	is_int(mr_param_size("heap"), 8192, "mr_param_size");
	is_int(mr_param_duration("timeout"), MR_MSEC(250), "mr_param_duration");

	child_run(&c, wrong_type, NULL);
	ok(child_aborted(&c) && strstr(c.err, "panic -: mr_param_bool: "
				       "parameter 'count' is an int\n"),
	   "asking for the wrong type panics");
	child_run(&c, unknown_name, NULL);
	ok(child_aborted(&c) && strstr(c.err, "panic -: mr_param_int: "
				       "no parameter 'nope'\n"),
	   "asking for an undeclared name panics");
}

int
main(void)
{
	test_defaults();
	test_int();
	test_bool();
	test_string();
	test_size();
	test_duration();
	test_words();
	test_format();
	test_accessors();
	return done_testing();
}
