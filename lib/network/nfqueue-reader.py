#!/usr/bin/env python3
# Binds one NFQUEUE queue (the packets the firewall holds for a verdict: the first bytes of the
# connections whose name is inspected) over netlink and is a dumb pipe between the kernel and the
# resolver, which decides. Each queued packet with TCP payload becomes a line on stdout:
#   p <id> <src> <sport> <dst> <dport> <seq> <payload hex>
# and each line on stdin is a verdict: "a <id> <mark>" accepts the packet with that packet mark
# (the firewall turns it into the connection's decision), "d <id>" drops it. A packet without TCP
# payload (the handshake's last ACK) is accepted at once, unmarked, and reported as
#   s <src> <sport> <dst> <dport> <seq>
# (where the client's bytes start). Standard library only (Node has
# no netlink sockets). Exits when stdin closes; the queue then drops what it holds (no bypass:
# without this reader no inspected packet passes).
import os, socket, struct, sys, threading

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_MARK, NFQA_PAYLOAD = 1, 2, 3, 10
NF_DROP, NF_ACCEPT = 0, 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
COPY_RANGE = 0xFFFF


def attr(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * ((4 - length % 4) % 4)


def message(kind, queue, payload, flags=NLM_F_REQUEST):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + payload
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def config(sock, queue, payload):
    sock.send(message(NFQNL_MSG_CONFIG, queue, payload, NLM_F_REQUEST | NLM_F_ACK))
    while True:
        data = sock.recv(65536)
        _, kind = struct.unpack_from("=IH", data)
        if kind == NLMSG_ERROR:
            (err,) = struct.unpack_from("=i", data, 16)
            if err != 0:
                raise OSError(-err, os.strerror(-err))
            return


def parse_packet(body):
    pid, payload = None, b""
    off = 4  # nfgenmsg
    while off + 4 <= len(body):
        length, kind = struct.unpack_from("=HH", body, off)
        if length < 4:
            break
        kind &= 0x3FFF
        if kind == NFQA_PACKET_HDR:
            (pid,) = struct.unpack_from("!I", body, off + 4)
        elif kind == NFQA_PAYLOAD:
            payload = body[off + 4 : off + length]
        off += (length + 3) & ~3
    return pid, payload


def main():
    queue = int(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    try:
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 4 << 20)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    config(sock, queue, attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)))
    config(sock, queue, attr(NFQA_CFG_PARAMS, struct.pack("!IB", COPY_RANGE, NFQNL_COPY_PACKET)))
    config(sock, queue, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 4096)))
    lock = threading.Lock()

    def verdict(pid, accept, mark=None):
        payload = attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT if accept else NF_DROP, pid))
        if mark is not None:
            payload += attr(NFQA_MARK, struct.pack("!I", mark))
        with lock:
            sock.send(message(NFQNL_MSG_VERDICT, queue, payload))

    def verdicts():
        for line in sys.stdin:
            parts = line.split()
            try:
                if parts[0] == "a":
                    verdict(int(parts[1]), True, int(parts[2]) if len(parts) > 2 else None)
                elif parts[0] == "d":
                    verdict(int(parts[1]), False)
            except (IndexError, ValueError, OSError) as e:
                sys.stderr.write("verdict %r: %s\n" % (line.strip(), e))
        os._exit(0)  # the parent is gone

    threading.Thread(target=verdicts, daemon=True).start()
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    while True:
        try:
            data = sock.recv(1 << 20)
        except OSError as e:  # ENOBUFS: the kernel dropped what we were too slow for (those packets are lost, not passed)
            out.write("overrun %s\n" % e.errno)
            out.flush()
            continue
        off = 0
        lines = []
        while off + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, off)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                pid, pkt = parse_packet(data[off + 16 : off + length])
                if pid is not None:
                    line = packet_line(pid, pkt)
                    if line is None or line.startswith("s "):
                        verdict(pid, True)  # no payload: nothing to read a name from
                    if line is not None:
                        lines.append(line)
            off += (length + 3) & ~3
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()


def packet_line(pid, pkt):
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 15) * 4
    if len(pkt) < ihl + 20:
        return None
    sport, dport, seq = struct.unpack_from("!HHI", pkt, ihl)
    doff = (pkt[ihl + 12] >> 4) * 4
    payload = pkt[ihl + doff :]
    src = socket.inet_ntop(socket.AF_INET, pkt[12:16])
    dst = socket.inet_ntop(socket.AF_INET, pkt[16:20])
    if not payload:
        # Where the client's bytes start (the handshake's last ACK): reported, already accepted.
        return "s %s %d %s %d %d" % (src, sport, dst, dport, seq)
    return "p %d %s %d %s %d %d %s" % (pid, src, sport, dst, dport, seq, payload.hex())


if __name__ == "__main__":
    main()
