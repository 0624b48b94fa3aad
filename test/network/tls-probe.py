# Run inside a sandbox: "tls HOST SNI [split]" opens a TLS connection to HOST:443 asking for SNI
# (certificates are not checked: the test server's is self-signed) and prints what the server
# answered ("sni=…") or reset/timeout/error, and the seconds it took. With "split" the ClientHello
# leaves in two TCP segments 100 ms apart.
import socket, ssl, sys, time

host, sni = sys.argv[1], sys.argv[2]
split = len(sys.argv) > 3 and sys.argv[3] == "split"
t = time.time()
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    raw = socket.create_connection((host, 443), 5)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    first = True
    while True:
        try:
            tls.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        data = outgoing.read()
        if data:
            if first and split:
                raw.sendall(data[:60])
                time.sleep(0.1)
                raw.sendall(data[60:])
            else:
                raw.sendall(data)
            first = False
        if done:
            break
        chunk = raw.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed")
        incoming.write(chunk)
    answer = b""
    while not answer.endswith(b"\n"):
        try:
            answer += tls.read(256)
        except ssl.SSLWantReadError:
            chunk = raw.recv(65536)
            if not chunk:
                break
            incoming.write(chunk)
    r = answer.decode().strip() or "empty"
except ConnectionResetError:
    r = "reset"
except (socket.timeout, TimeoutError):
    r = "timeout"
except (OSError, ssl.SSLError) as e:
    r = "error:%s" % e
print(r, round(time.time() - t, 2))
