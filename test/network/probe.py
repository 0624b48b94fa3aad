# Run inside a sandbox: "connect HOST PORT" prints ok/refused/unreachable/timeout and the seconds it
# took; "dns NAME" asks the nameserver of /etc/resolv.conf directly and prints the rcode and addresses.
import socket, struct, sys, time

def connect(host, port):
    t = time.time()
    try:
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect((host, int(port)))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.recv(64)
        r = "ok"
    except ConnectionRefusedError:
        r = "refused"
    except (socket.timeout, TimeoutError):
        r = "timeout"
    except OSError as e:
        r = "unreachable" if e.errno in (101, 113, 99, 97) else "error%d" % e.errno
    print(r, round(time.time() - t, 2))

def dns(name, server=None):
    server = server or [l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver")][0]
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0\0\1\0\1"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(q, (server, 53))
    d = s.recv(4096)
    rcode = d[3] & 15
    ips = [socket.inet_ntoa(d[i:i + 4]) for i in range(len(q) + 12, len(d), 16)] if d[7] else []
    print({0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}.get(rcode, rcode), " ".join(ips))

{"connect": connect, "dns": dns}[sys.argv[1]](*sys.argv[2:])
