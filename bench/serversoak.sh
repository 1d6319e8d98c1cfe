#!/bin/sh
# A long-running server soak of examples/website on both targets: the
# image under a bounded mixed load for SECONDS, all at once:
#   - keep-alive requests: wrk on the 612-byte page;
#   - a slow-client batch: SOAK_SLOW connections (default 20) that send a
#     partial request head a line every 2 s and hold on, reopened when the
#     server cuts them (with wrk's, fewer than the server's 32 connections,
#     max_connections: a GET during the flood then measures the flood
#     defence; SOAK_SLOW=50 holds every connection the server has, so new
#     clients are reset until a slow one is cut with its 408);
#   - a SYN flood burst: hping3 --flood --rand-source for SOAK_SYN seconds
#     (default 3) in the middle of the run;
#   - clients that disconnect mid-answer: GETs of a 1 MiB file closed after
#     its first bytes (every other one with a reset);
# then one GET, timed, and the image's own counters (GET of its status
# route: threads, heap, pbufs, TCP PCBs, grants ...) and, on Unix, its RSS,
# against the same figures taken before the load, after a warm-up (a few
# seconds of the same load without the flood: stacks, caches and pools
# reach their working size) and a quiet second.
#   Unix: the image behind a tap in a namespace of its own, pinned to core
#         1; the load from that namespace on core 0;
#   Xen:  the image as a PVH guest of the emulated host (QEMU TCG), the
#         load from dom0 over xenbr0.
# Levels that the load raised for a while come back by themselves (a PCB
# in TIME_WAIT waits 2 MSL, 120 s; a half-open one of the flood 20 s): the
# figures after the load are taken after a quiet second and then every
# second until every level is back, for at most SOAK_SETTLE seconds
# (default 240); a level still above where it was then is a leak (the
# stack and file caches are bounded and may end higher). It prints figures and
# a verdict line per target; it never asserts on timing. Exit 1 on a leak
# or a GET that gets no answer. Needs root; installs wrk, hping3 and curl
# when missing.
#   sh bench/serversoak.sh [SECONDS] [unix|xen|all]      (default 60 s, all)
#   SOAK_CONNS=N   wrk connections (default 8)
#   SOAK_SLOW=N, SOAK_SYN=S, SOAK_SETTLE=S   (above)
#   SOAK_KEEP=1    keep the work folder (the raw @ lines, logs, images)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
dur=${1:-60}
which=${2:-all}
case $dur in *[!0-9]*|'') echo "usage: sh bench/serversoak.sh [SECONDS] [unix|xen|all]" >&2; exit 2 ;; esac
case $which in unix|xen|all) ;; *) echo "usage: sh bench/serversoak.sh [SECONDS] [unix|xen|all]" >&2; exit 2 ;; esac
slow=${SOAK_SLOW:-20}
syn=${SOAK_SYN:-3}
settle=${SOAK_SETTLE:-240}
warm=5
# The flood starts half-way through, so that it ends in the middle.
flood_at=$((dur / 2 - syn / 2))
[ "$flood_at" -ge 1 ] || flood_at=1
mirari="$top/bin/mirari"
bench_root serversoak.sh
bench_need wrk wrk hping3 hping3 curl curl python3 python3

work=$(mktemp -d /tmp/mirari-bench-soak.XXXXXX)
nc=mrsc$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$nc" 2>/dev/null || true
	if [ -n "${SOAK_KEEP:-}" ]; then echo "serversoak: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The site: a copy of examples/website with its status route on (added
# when its app.conf does not set one) and a 1 MiB file to cut short.
mkdir -p "$work/app"
cp -r "$top/examples/website/." "$work/app/"
rm -rf "$work/app/_build"
grep -q '^[^-]*status *=' "$work/app/app.conf" ||
	sed -i 's|^\(handlers "http" *{\)|\1 status = "/status",|' "$work/app/app.conf"
status=$(sed -n 's|^[^-]*status *= *"\([^"]*\)".*|\1|p' "$work/app/app.conf" | head -n 1)
head -c 1048576 /dev/urandom >"$work/app/htdocs/big.bin"
chmod 755 "$work" "$work/app"
chmod -R a+rX "$work/app/htdocs"

# soak.py: the slow clients, the clients that cut answers short, and the
# readings of the status route; the same file runs on this machine (in
# the client namespace) and in dom0, which runs this machine's python3.
cat >"$work/soak.py" <<'EOS'
import errno, json, random, re, select, socket, sys, time

now = time.monotonic

def slow(host, port, n, secs):
    """n connections that send a partial request head, a line every 2 s."""
    end = now() + secs
    st = dict(opened=0, cut_408=0, cut_other=0, reset=0, refused=0, connect_timeout=0)
    conns = {}
    retry = 0.0
    def drop(s, why):
        if why:
            st[why] += 1
        conns.pop(s, None)
        s.close()
    while now() < end:
        t = now()
        while len(conns) < n and t >= retry:
            s = socket.socket()
            s.setblocking(False)
            if s.connect_ex((host, port)) not in (0, errno.EINPROGRESS):
                s.close()
                st["refused"] += 1
                retry = t + 0.2
                break
            conns[s] = dict(t=t, up=False, drip=t, got=b"")
        rd = [s for s, c in conns.items() if c["up"]]
        wr = [s for s, c in conns.items() if not c["up"]]
        r, w, _ = select.select(rd, wr, [], 0.1)
        for s in w:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                drop(s, "refused")
                retry = now() + 0.2
                continue
            c = conns[s]
            c["up"] = True
            st["opened"] += 1
            try:
                s.send(b"GET /index.html HTTP/1.1\r\nHost: soak\r\n")
            except OSError:
                drop(s, "reset")
            c["drip"] = now() + 2
        for s in r:
            if s not in conns:
                continue
            try:
                d = s.recv(4096)
            except OSError:
                drop(s, "reset")
                continue
            if d:
                conns[s]["got"] += d[:64]
                continue
            drop(s, "cut_408" if conns[s]["got"].startswith(b"HTTP/1.1 408") else "cut_other")
        t = now()
        for s, c in list(conns.items()):
            if not c["up"] and t - c["t"] > 3:
                drop(s, "connect_timeout")
            elif c["up"] and t >= c["drip"]:
                c["drip"] = t + 2
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    drop(s, "reset")
    st["held_at_end"] = sum(1 for c in conns.values() if c["up"])
    for s in list(conns):
        drop(s, None)
    return st

def cut(host, port, path, secs):
    """GETs of a large file closed after its first bytes, every other one
    with a reset (SO_LINGER 0)."""
    end = now() + secs
    st = dict(cut=0, with_reset=0, no_answer=0, connect_failed=0, read_failed=0)
    i = 0
    while now() < end:
        i += 1
        try:
            s = socket.create_connection((host, port), timeout=3)
        except OSError:
            st["connect_failed"] += 1
            time.sleep(0.05)
            continue
        try:
            s.sendall(("GET %s HTTP/1.1\r\nHost: soak\r\n\r\n" % path).encode())
            want, got = random.choice((1, 512, 4096, 32768, 131072)), 0
            while got < want:
                d = s.recv(65536)
                if not d:
                    break
                got += len(d)
            if got == 0:
                st["no_answer"] += 1
            else:
                st["cut"] += 1
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                st["with_reset"] += 1
        except OSError:
            st["read_failed"] += 1
        s.close()
        time.sleep(0.005)
    return st

def counters(url):
    """The integer counters of the status route, or None. HTTP/1.1 with
    keep-alive, closed by this end once the answer is in: a close by the
    server (urllib asks for one) would leave a PCB of the image in
    TIME_WAIT for 2 MSL after every reading."""
    host, _, path = url[len("http://"):].partition("/")
    try:
        s = socket.create_connection((host, 80), timeout=5)
    except OSError:
        return None
    try:
        s.sendall(("GET /%s HTTP/1.1\r\nHost: soak\r\n\r\n" % path).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            d = s.recv(4096)
            if not d:
                return None
            data += d
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            return None
        m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        n = int(m.group(1)) if m else 0
        while len(body) < n:
            d = s.recv(4096)
            if not d:
                break
            body += d
        d = json.loads(body.decode())
    except (OSError, ValueError):
        return None
    finally:
        s.close()
    if not isinstance(d, dict):
        return None
    return {k: v for k, v in d.items() if isinstance(v, int) and not isinstance(v, bool)}

def is_level(k):
    return not (k.endswith("_total") or k.endswith("_peak") or k == "uptime_ms")

def is_cache(k):
    """Bounded by design (the runtime keeps up to 32 stacks, the http
    handler set its cache option's bytes): they may end above where they
    were, never leak."""
    return k.endswith("_cached") or k.endswith("cache_bytes")

def off(base, cur, tol_heap):
    """The levels of cur that are not back to base."""
    bad = []
    for k, v in base.items():
        if not is_level(k) or is_cache(k):
            continue
        w = cur.get(k)
        if w is None:
            bad.append(k)
        elif "heap" in k:
            if w > v * (1 + tol_heap) + 64:
                bad.append(k)
        elif w > v:
            bad.append(k)
    return bad

def same(a, b):
    """Two readings whose levels are equal (heap within 1 %)."""
    for k, v in a.items():
        if not is_level(k):
            continue
        w = b.get(k)
        if w is None or ("heap" in k and abs(w - v) > v * 0.01 + 64) or ("heap" not in k and w != v):
            return False
    return True

def put(name, d):
    print("@%s %s" % (name, json.dumps(d, sort_keys=True) if d is not None else "none"), flush=True)

def main():
    cmd = sys.argv[1]
    if cmd == "slow":
        put("slow", slow(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])))
    elif cmd == "cut":
        put("cut", cut(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])))
    elif cmd == "stable":
        # URL NAME FILE BUDGET: a reading once two in a row, a second
        # apart, have the same levels (heap within 1 %); a reading that
        # fails is tried again, within the budget.
        url, name, path, budget = sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
        t0 = now()
        prev = cur = None
        while now() - t0 < budget:
            time.sleep(1)
            cur = counters(url)
            if cur is not None and prev is not None and same(prev, cur):
                break
            prev = cur or prev
        put(name, cur)
        with open(path, "w") as f:
            json.dump(cur or {}, f)
    elif cmd == "settle":
        # URL BASEFILE BUDGET: a reading after a quiet second, then one a
        # second until every level is back (or BUDGET seconds).
        url, base, budget = sys.argv[2], json.load(open(sys.argv[3])), float(sys.argv[4])
        time.sleep(1)
        t0 = now()
        first = counters(url)
        put("first", first)
        cur = first
        while cur is not None and base and off(base, cur, 0.05) and now() - t0 < budget:
            time.sleep(1)
            cur = counters(url) or cur
        put("after", cur)
        print("@settle %.0f" % (now() - t0), flush=True)

main()
EOS

# body.sh: the soak itself, the same on both targets; it prints @ lines
# (figures) for report.py. Its environment: RUN (the prefix that puts a
# command beside the image: ip netns exec, or nothing in dom0), LOAD (the
# CPU pinning of the load), IP, PID (the Unix image, for its RSS), TMPD
# (a writable folder), SITE (the htdocs it serves), CONNS (wrk's).
cat >"$work/body.sh" <<EOS
set -u
url=http://\$IP
py() { \$RUN python3 "$work/soak.py" "\$@"; }
rss() { [ -z "\$PID" ] || echo "@rss \$1 \$(awk '/^VmRSS:/ { print \$2 }' /proc/\$PID/status 2>/dev/null)"; }
get() {
	_r=\$(\$RUN curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}' "\$url/index.html") ||
		_r="000 curl-exit-\$?"
	echo "@\$1 \$_r"
}
for p in /index.html /big.bin; do
	\$RUN curl -s --max-time 30 "\$url\$p" | cmp -s - "\$SITE\$p" || echo "@fail serves \$p wrong"
done
py stable "\$url$status" boot "\$TMPD/boot.json" 20
rss boot
# The warm-up: the same load for a few seconds, without the flood, the
# slow clients leaving before the server cuts them.
\$RUN \$LOAD timeout $((warm + 30)) wrk -t1 -c\$CONNS -d${warm}s "\$url/index.html" >/dev/null 2>&1 &
py slow "\$IP" 80 $slow $warm >/dev/null &
py cut "\$IP" 80 /big.bin $warm >/dev/null &
wait
py stable "\$url$status" before "\$TMPD/before.json" 30
rss before
echo "@start \$(date +%s)"
\$RUN \$LOAD timeout $((dur + 30)) wrk -t1 -c\$CONNS -d${dur}s "\$url/index.html" >"\$TMPD/wrk.out" 2>&1 &
py slow "\$IP" 80 $slow $dur >"\$TMPD/slow.out" 2>&1 &
py cut "\$IP" 80 /big.bin $dur >"\$TMPD/cut.out" 2>&1 &
sleep $flood_at
(sleep 1; get during_flood) &
\$RUN \$LOAD timeout -s INT $syn hping3 -q -S -p 80 --flood --rand-source "\$IP" >"\$TMPD/syn.out" 2>&1
wait
echo "@end \$(date +%s)"
get get
py settle "\$url$status" "\$TMPD/before.json" $settle
rss after
sed 's/^/@wrk /' "\$TMPD/wrk.out"
sed 's/^/@syn /' "\$TMPD/syn.out"
cat "\$TMPD/slow.out" "\$TMPD/cut.out"
EOS

# report.py FILE TARGET: the figures and the verdict line of a target
# from the @ lines of its run; exits 1 on a leak or no answer.
cat >"$work/report.py" <<'EOS'
import json, re, sys

path, target, dur, conns, slow_n, syn_s = sys.argv[1:7]

# As in soak.py: what must come back after the load, and what is bounded.
def is_level(k):
    return not (k.endswith("_total") or k.endswith("_peak") or k == "uptime_ms")

def is_cache(k):
    return k.endswith("_cached") or k.endswith("cache_bytes")
v = {}
wrk, syn, logs, fails = [], [], [], []
for line in open(path, errors="replace"):
    line = line.rstrip("\r\n")
    m = re.match(r"@(\w+) ?(.*)$", line)
    if not m:
        continue
    k, rest = m.groups()
    if k == "wrk":
        wrk.append(rest)
    elif k == "syn":
        syn.append(rest)
    elif k == "log":
        logs.append(rest)
    elif k == "fail":
        fails.append(rest)
    elif k == "rss":
        a = rest.split()
        if len(a) == 2:
            v["rss_" + a[0]] = int(a[1])
    else:
        v[k] = rest

def js(k):
    s = v.get(k, "none")
    return None if s == "none" else json.loads(s)

boot, before, first, after = js("boot"), js("before"), js("first"), js("after")
slow, cut = js("slow") or {}, js("cut") or {}
wtext = "\n".join(wrk)
m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", wtext)
wreq = int(m.group(1)) if m else 0
m = re.search(r"Requests/sec:\s+([\d.]+)", wtext)
wrate = m.group(1) if m else "?"
werr = " ".join(l.strip() for l in wrk if re.search(r"Socket errors|Non-2xx", l))
m = re.search(r"(\d+) packets transmitted", "\n".join(syn))
synp = m.group(1) if m else "?"

def ms(k):
    a = v.get(k, "000 -").split()
    if len(a) < 2 or a[0] != "200":
        return None, " ".join(a)
    return float(a[1]) * 1000, a[0]

print("serversoak %s: load for %s s: wrk -t1 -c%s keep-alive on /index.html: %d requests (%s req/s)%s"
      % (target, dur, conns, wreq, wrate, "; " + werr if werr else ""))
print("serversoak %s: slow clients (%s at once, a header line every 2 s): %s"
      % (target, slow_n, ", ".join("%s %s" % (a, b) for a, b in slow.items()) or "no report"))
print("serversoak %s: answers cut short (1 MiB file): %s"
      % (target, ", ".join("%s %s" % (a, b) for a, b in cut.items()) or "no report"))
fl, code = ms("during_flood")
print("serversoak %s: SYN flood (hping3 --flood --rand-source, %s s): %s packets; a GET during it: %s"
      % (target, syn_s, synp, "%.1f ms" % fl if fl is not None else "no answer (%s)" % code))
for f in fails:
    print("serversoak %s: %s" % (target, f))
if logs:
    seen = []
    for l in logs:
        l2 = re.sub(r"\d+", "N", l)
        if l2 not in seen:
            seen.append(l2)
    print("serversoak %s: the image logged %d lines, %d kinds; the first of each kind:" % (target, len(logs), len(seen)))
    shown = set()
    for l in logs:
        l2 = re.sub(r"\d+", "N", l)
        if l2 not in shown and len(shown) < 12:
            shown.add(l2)
            print("    " + l)

problems = []
leaks = []
parts = []
get_ms, code = ms("get")
if get_ms is None:
    problems.append("no answer to a GET after the load (%s)" % code)
if fails:
    problems.append(fails[0])
if v.get("alive", "yes") != "yes":
    problems.append("the image is gone: " + v.get("alive"))
parts.append("%s s" % dur)
total = wreq + cut.get("cut", 0)
parts.append("%d requests" % total)
parts.append("GET after %s" % ("%.1f ms" % get_ms if get_ms is not None else "none"))

if "rss_before" in v and "rss_after" in v:
    a, b = v["rss_before"], v["rss_after"]
    pct = (b - a) * 100.0 / a if a else 0
    parts.append("RSS %d -> %d KiB (%+.1f %%)" % (a, b, pct))
    if pct > 5:
        leaks.append("RSS %+.1f %%" % pct)

settle = v.get("settle")
if before and after:
    keys = list(before.keys()) + [k for k in after if k not in before]
    print("serversoak %s: the image's counters (GET %s); levels must come back, _total, _peak and uptime_ms need not"
          % (target, v.get("status_path", "/status")))
    print("    %-22s %12s %12s %12s %12s" % ("counter", "at boot", "before", "after 1 s", "after"))
    for k in keys:
        def f(d):
            return str(d.get(k, "-")) if d else "-"
        print("    %-22s %12s %12s %12s %12s%s" % (k, f(boot), f(before), f(first), f(after),
              "" if is_level(k) else "   (cumulative)"))
    print("serversoak %s: the levels were back %s s after the quiet second" % (target, settle))
    for k in keys:
        if not is_level(k):
            continue
        a, b = before.get(k), after.get(k)
        if "heap" in k and a is not None and b is not None:
            pct = (b - a) * 100.0 / a if a else 0
            parts.append("%s %d -> %d (%+.1f %%)" % (k, a, b, pct))
            if b > a * 1.05 + 64:
                leaks.append("%s %d -> %d" % (k, a, b))
        else:
            parts.append("%s %s -> %s" % (k, a, b))
            # Below is no leak; a cache is bounded.
            if a is None or b is None or (b > a and not is_cache(k)):
                leaks.append("%s %s -> %s" % (k, a, b))
elif before is None:
    problems.append("no counters before the load (GET %s: no JSON object of counters)"
                    % v.get("status_path", "/status"))
else:
    problems.append("the status route stopped answering after the load")

verdict = "ok"
if problems or leaks:
    verdict = "; ".join(problems + (["LEAK: " + ", ".join(leaks)] if leaks else []))
print("serversoak %s: %s, %s" % (target, ", ".join(parts), verdict))
sys.exit(1 if problems or leaks else 0)
EOS

report() {
	python3 "$work/report.py" "$1" "$2" "$dur" "$conns" "$slow" "$syn"
}

unix() {
	conns=${SOAK_CONNS:-8}
	(cd "$work/app" && "$mirari" configure -q -t unix && "$mirari" build >/dev/null) ||
		{ echo "serversoak unix: the image does not build" >&2; return 1; }
	ip netns add "$nc" || return 1
	ip netns exec "$nc" ip link set lo up
	ip netns exec "$nc" ip tuntap add dev mrstap0 mode tap
	ip netns exec "$nc" ip addr add 192.0.2.1/24 dev mrstap0
	ip netns exec "$nc" ip link set mrstap0 up
	ip netns exec "$nc" taskset -c 1 "$work/app/_build/website" log=warn \
		net0.tap=mrstap0 net0.forward= >"$work/unix.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	bench_wait "$nc" http://192.0.2.10/ || { cat "$work/unix.log" >&2; exit 1; }
	echo "serversoak unix: website (pid $pid) behind a tap, ${dur} s of load after a ${warm} s warm-up" >&2
	CONNS=$conns RUN="ip netns exec $nc" LOAD="taskset -c 0" IP=192.0.2.10 PID=$pid TMPD="$work" \
		SITE="$work/app/htdocs" sh "$work/body.sh" >"$work/unix.out" 2>&1 || true
	kill -0 "$pid" 2>/dev/null && echo "@alive yes" >>"$work/unix.out" ||
		echo "@alive no (exited; see its log)" >>"$work/unix.out"
	echo "@status_path $status" >>"$work/unix.out"
	sed 's/^/@log /' "$work/unix.log" >>"$work/unix.out"
	kill "$pid" 2>/dev/null || true
	ip netns del "$nc" 2>/dev/null || true
	report "$work/unix.out" unix
}

xen() {
	conns=${SOAK_CONNS:-8}
	(cd "$work/app" && "$mirari" configure -q -t xen && "$mirari" build >/dev/null) ||
		{ echo "serversoak xen: the image does not build" >&2; return 1; }
	xl="$work/app/_build/website.xl"
	bench_xen_cache >/dev/null || return 1
	cat >"$work/dom0.sh" <<EOS
#!/bin/sh
set -u
xl create -q "$xl" 'extra="log=warn"'
i=0; until curl -sf --max-time 1 -o /dev/null http://192.0.2.10/ || [ \$i -gt 300 ]; do sleep 0.2; i=\$((i + 1)); done
mkdir -p /tmp/soak
CONNS=$conns RUN= LOAD= IP=192.0.2.10 PID= TMPD=/tmp/soak SITE="$work/app/htdocs" sh "$work/body.sh" 2>&1
xl list website >/dev/null 2>&1 && echo "@alive yes" || echo "@alive no (the domain is gone; see its console)"
echo "@status_path $status"
tr -d '\r' </var/log/xen/console/guest-website.log | sed 's/^/@log /'
xl destroy website
EOS
	echo "serversoak xen: website.xen as a PVH guest of the emulated host, ${dur} s of load after a ${warm} s warm-up" >&2
	lua5.3 - "$top" "$work/dom0.sh" "$work/xen.out" $((dur + warm + settle + 300)) <<'EOS'
local top, script, out, timeout = arg[1], arg[2], arg[3], tonumber(arg[4])
package.path = top .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local r, err = xenhost.exec(top, script, { timeout = timeout, quiet = true })
local f = assert(io.open(out, "w"))
f:write(r and r.output or "")
f:close()
if not r or r.status ~= 0 then
  io.stderr:write("serversoak xen: the emulated host failed: ", tostring(err or r.error or r.status), "\n",
    r and r.output or "", "\n")
  os.exit(1)
end
xenhost.forget(r)
EOS
	report "$work/xen.out" xen
}

rc=0
case $which in
unix) unix || rc=1 ;;
xen) xen || rc=1 ;;
all) unix || rc=1; xen || rc=1 ;;
esac
exit $rc
