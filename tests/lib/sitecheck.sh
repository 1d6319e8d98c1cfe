#!/bin/sh
# sitecheck.sh BASE HTDOCS: check an HTTP server at BASE (such as
# http://192.0.2.10) that serves the directory HTDOCS, as examples/website
# does, with curl: every file's bytes, HEAD, Content-Type, ranges, ETag
# revalidation, 404, the redirect and index of a directory, keep-alive,
# and path traversal attempts. One line per check, "check NAME ok" or
# "check NAME FAIL ...", for tests/unix/website.t and tests/xen/website.t
# (which runs it in dom0 of the emulated Xen host).
base=$1
docs=$2
c() { curl -s --max-time 10 "$@"; }
code() { c -o /dev/null -w '%{http_code}' "$@"; }
say() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then echo "check $1 ok"; else echo "check $1 FAIL: got [$2] want [$3]"; fi
}
header() { # NAME, from the headers on stdin
	tr -d '\r' | sed -n "s/^$1: //Ip" | head -n 1
}

n=0
for f in $(cd "$docs" && find . -type f | sort); do
	p=${f#.}
	n=$((n + 1))
	if c -f "$base$p" | cmp -s - "$docs$p"; then
		echo "check file $p ok"
	else
		echo "check file $p FAIL: the bytes differ"
	fi
done
echo "files $n"

say root "$(c "$base/" | cmp -s - "$docs/index.html" && echo same)" same
h=$(c -I "$base/index.html")
say head-status "$(echo "$h" | head -n 1 | tr -d '\r')" "HTTP/1.1 200 OK"
say head-length "$(echo "$h" | header content-length)" "$(stat -c %s "$docs/index.html")"
say head-no-body "$(c -X HEAD "$base/index.html" | wc -c)" 0
say type-html "$(echo "$h" | header content-type | cut -d';' -f1)" text/html
say type-css "$(c -I "$base/css/site.css" | header content-type | cut -d';' -f1)" text/css
say type-png "$(c -I "$base/img/mirari.png" | header content-type | cut -d';' -f1)" image/png

say range-status "$(code -r 10-19 "$base/index.html")" 206
say range-bytes "$(c -r 10-19 "$base/index.html" | od -An -c | tr -s ' ')" \
	"$(tail -c +11 "$docs/index.html" | head -c 10 | od -An -c | tr -s ' ')"
say range-suffix "$(c -r -6 "$base/index.html" | od -An -c | tr -s ' ')" "$(tail -c 6 "$docs/index.html" | od -An -c | tr -s ' ')"
say range-header "$(c -r 10-19 -D - -o /dev/null "$base/index.html" | header content-range)" \
	"bytes 10-19/$(stat -c %s "$docs/index.html")"
say range-unsatisfiable "$(code -r 100000-100010 "$base/index.html")" 416

etag=$(echo "$h" | header etag)
say etag-present "$(test -n "$etag" && echo yes)" yes
say etag-304 "$(code -H "If-None-Match: $etag" "$base/index.html")" 304
say etag-other-200 "$(code -H 'If-None-Match: "not-this-one"' "$base/index.html")" 200

say missing-404 "$(code "$base/no/such/file.html")" 404
say dir-redirect "$(code "$base/about")" 301
say dir-location "$(c -D - -o /dev/null "$base/about" | header location | sed 's|^https\{0,1\}://[^/]*||')" /about/
say dir-index "$(c "$base/about/" | cmp -s - "$docs/about/index.html" && echo same)" same
say method-405 "$(code -X POST -d x "$base/index.html")" 405

# Keep-alive: three requests, one connection.
say keepalive "$(c -v "$base/" "$base/css/site.css" "$base/img/mirari.png" -o /dev/null -o /dev/null -o /dev/null 2>&1 |
	grep -c 'Re-using existing connection')" 2

# Traversal: never 200, never a file from outside the site.
for p in /../etc/passwd /%2e%2e/%2e%2e/etc/passwd /..%2fetc%2fpasswd /css/..%2f..%2f..%2fetc/passwd \
	/css/%2e%2e/%2e%2e/index.html '/%5c..%5c..%5cetc/passwd' /index.html%00.png /.%2e/.%2e/etc/passwd; do
	got=$(c --path-as-is -o /tmp/sitecheck.$$ -w '%{http_code}' "$base$p")
	if [ "$got" = 200 ] || grep -q 'root:' /tmp/sitecheck.$$ 2>/dev/null; then
		echo "check traversal $p FAIL: $got"
	else
		echo "check traversal $p ok ($got)"
	fi
done
rm -f /tmp/sitecheck.$$
echo "sitecheck done"
