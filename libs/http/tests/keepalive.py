# keepalive.py HOST PORT HOLD ROOM BIG_PATH BIG_SIZE: idle keep-alive
# clients against an http server that has room for ROOM connections at
# once and whose timers (keepalive_timeout, request_timeout) are out of
# the way, so that whatever is closed is closed for room, however slow
# the machine. Every wait is bounded (30 s) against a hang alone.
#
#  1. HOLD connections each ask for / once and stay open, idle. Before the
#     last 2 * ROOM of them, one connection sends half a request and one
#     asks for BIG_PATH (BIG_SIZE bytes) without reading it: a request and
#     an answer in progress, older than every idle connection that will be
#     closed for the newer ones, and never to be closed themselves.
#  2. A new client asks for /; its latency is printed.
#  3. Each held connection is looked at: still open, ended by a FIN
#     (read gives end of stream) or by a reset.
#  4. A connection still open is asked again, the half request is
#     finished and must be answered, the big answer read to its end, and
#     twenty new clients served.
#
# Prints "key value" lines for the test to check.
import socket
import sys
import time

host, port, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
room, big_path, big_size = int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
GET = b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n"


def say(key, value):
    print(key, value)
    sys.stdout.flush()


def answer(s, head_only=False):
    """One answer with a Content-Length: (status, body length)."""
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed before the head")
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed in the body")
        body += chunk
    return status, len(body)


def connect(timeout=30):
    return socket.create_connection((host, port), timeout=timeout)


def fetch(path="/", timeout=30):
    s = connect(timeout)
    try:
        s.sendall(GET % path.encode())
        return answer(s)[0] == 200
    finally:
        s.close()


# 1. Idle keep-alive connections, and a request and an answer in progress.
t0 = time.monotonic()
held, failed = [], 0
for i in range(hold):
    if i == max(0, hold - 2 * room):
        partial = connect()
        partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.settimeout(30)
        slow.connect((host, port))
        slow.sendall(GET % big_path.encode())
    try:
        s = connect()
        s.sendall(GET % b"/")
        if answer(s)[0] == 200:
            held.append(s)
            continue
    except (OSError, EOFError):
        pass
    failed += 1
held_at = time.monotonic()    # the newest held connection's answer
say("held", len(held))
say("hold_failures", failed)
say("hold_seconds", "%.1f" % (time.monotonic() - t0))

# 2. A new client, while they are held.
t0 = time.monotonic()
try:
    ok = fetch("/")
except (OSError, EOFError):
    ok = False
say("new_client", ok)
say("new_client_ms", "%.1f" % ((time.monotonic() - t0) * 1000))

# 3. Which held connections were closed, and how. The FIN of a closed one
# came before the new client's answer; give stragglers a moment.
time.sleep(0.5)
fin = rst = still = 0
open_ones = []
for s in held:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            fin += 1
        else:
            rst += 1    # data nobody asked for: as wrong as a reset
    except BlockingIOError:
        still += 1
        open_ones.append(s)
    except OSError:
        rst += 1
say("closed_fin", fin)
say("closed_reset", rst)
say("still_open", still)

# 4. A connection still open is asked again, then what was in progress is
# served, and so is everyone afterwards.
if open_ones:
    s = open_ones[-1]
    s.setblocking(True)
    s.settimeout(30)
    say("held_idle_seconds", "%.1f" % (time.monotonic() - held_at))
    try:
        s.sendall(GET % b"/")
        say("held_again", answer(s)[0] == 200)
    except (OSError, EOFError) as e:
        say("held_again", "False:%s" % e)
try:
    partial.sendall(b"\r\n")
    say("partial_answered", answer(partial)[0] == 200)
except (OSError, EOFError) as e:
    say("partial_answered", "False:%s" % e)
t0 = time.monotonic()
try:
    status, n = answer(slow)
    say("big_answer", status == 200 and n == big_size)
except (OSError, EOFError) as e:
    say("big_answer", "False:%s" % e)
say("big_seconds", "%.1f" % (time.monotonic() - t0))
served = 0
for i in range(20):
    try:
        served += fetch("/")
    except (OSError, EOFError):
        pass
say("served_after", served)
for s in held + [partial, slow]:
    s.close()
