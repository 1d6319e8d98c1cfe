# raw.py HOST PORT REQUEST_FILE [slow|idle]: send the bytes of
# REQUEST_FILE to HOST:PORT in one write (or, with "slow", one byte every
# 0.3 s for at most 6 s), read until the server closes or stays silent for
# 1.5 s (after it has answered something, 10 s with "idle"; 8 s before),
# and print what came back, then
# "@state=closed" or "@state=open" and "@secs=S", the time from the first
# byte sent to the end. Used by server.t for what curl will not send.
import socket
import sys
import time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
slow = len(sys.argv) > 4 and sys.argv[4] == "slow"
idle = len(sys.argv) > 4 and sys.argv[4] == "idle"
data = open(path, "rb").read()
s = socket.create_connection((host, port), timeout=10)
t0 = time.monotonic()
got = b""
state = "open"
if slow:
    s.setblocking(False)
    for b in data:
        if time.monotonic() - t0 > 6:
            break
        try:
            s.send(bytes([b]))
        except OSError:
            state = "closed"
            break
        time.sleep(0.3)
        try:
            chunk = s.recv(65536)
            if not chunk:
                state = "closed"
                break
            got += chunk
        except BlockingIOError:
            pass
        except OSError:
            state = "closed"
            break
    s.setblocking(True)
else:
    s.sendall(data)
if state == "open":
    s.settimeout(8)
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            state = "closed"
            break
        if not chunk:
            state = "closed"
            break
        got += chunk
        s.settimeout(10 if idle else 1.5)
secs = time.monotonic() - t0
sys.stdout.buffer.write(got)
sys.stdout.write("\n@state=%s\n@secs=%.2f\n" % (state, secs))
