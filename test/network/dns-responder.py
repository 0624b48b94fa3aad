# A tiny authoritative DNS server for the test world: A records from argv ("name=ip" ...), NXDOMAIN
# for any other name, no records for other types. Run inside the "internet" namespace.
import socket, struct, sys

records = dict(a.split("=") for a in sys.argv[2:])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], 53))
while True:
    data, addr = sock.recvfrom(4096)
    try:
        pos, labels = 12, []
        while data[pos]:
            labels.append(data[pos + 1:pos + 1 + data[pos]].decode().lower())
            pos += 1 + data[pos]
        qend = pos + 5
        qtype = struct.unpack(">H", data[pos + 1:pos + 3])[0]
        name = ".".join(labels)
        ip = records.get(name)
        flags = 0x8400 | (data[2] & 1) << 8 | (0 if ip else 3)
        answers = b""
        if ip and qtype == 1:
            answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 30, 4) + socket.inet_aton(ip)
        head = struct.pack(">HHHHHH", struct.unpack(">H", data[:2])[0], flags, 1, 1 if answers else 0, 0, 0)
        sock.sendto(head + data[12:qend] + answers, addr)
    except Exception as e:
        print("dns:", e, file=sys.stderr)
