# raw.py HOST PORT REQUEST_FILE [slow|idle|close|kept]: send the bytes of
# REQUEST_FILE to HOST:PORT in one write (or, with "slow", one byte every
# 0.3 s for at most 6 s), read what comes back, and print it, then
# "@state=closed" or "@state=open" and "@secs=S", the time from the first
# byte sent to the end. Used by server.t for what curl will not send.
#
# How long it reads, by what the caller expects:
#   (none)  until the server closes or is silent for 1.5 s after it has
#           answered something (8 s before): for an answer's status, which
#           comes in the first write, on a connection that may stay open.
#   close   until the server closes, up to 15 s of silence (then "open"):
#           a close that comes late on a loaded machine is still a close.
#   idle    the same, for a close that the server's keep-alive timeout
#           makes (and "slow", whose 408 ends with a close).
#   kept    one whole answer (by its Content-Length), then the request is
#           sent again on the same connection: "open" once the second
#           answer is whole too, "closed" if the server closed instead
#           ("silent" if an answer did not come in 15 s).
#           That the connection was kept is seen, not guessed from silence.
import socket
import sys
import time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else ""
slow = mode == "slow"
patient = mode in ("idle", "close", "slow")
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
elif mode == "kept":
    def answer():
        """One whole answer with a Content-Length, or None at a close."""
        buf = b""
        while b"\r\n\r\n" not in buf or len(buf.partition(b"\r\n\r\n")[2]) < length(buf):
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
        return buf

    def length(buf):
        head = buf.partition(b"\r\n\r\n")[0]
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return int(value)
        return 0

    s.settimeout(15)
    try:
        for _ in range(2):
            s.sendall(data)
            one = answer()
            if one is None:
                state = "closed"
                break
            got += one
    except socket.timeout:
        state = "silent"
    except OSError:
        state = "closed"
else:
    s.sendall(data)
if state == "open" and mode != "kept":
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
        s.settimeout(15 if patient else 1.5)
secs = time.monotonic() - t0
sys.stdout.buffer.write(got)
sys.stdout.write("\n@state=%s\n@secs=%.2f\n" % (state, secs))
