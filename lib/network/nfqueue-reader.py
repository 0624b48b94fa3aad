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

from nfnetlink import attr, attributes, configure, message, messages, open_socket

NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_MARK, NFQA_PAYLOAD = 1, 2, 3, 10
NF_DROP, NF_ACCEPT = 0, 1
COPY_RANGE = 0xFFFF


def config(sock, queue, payload):
    configure(sock, NFNL_SUBSYS_QUEUE, NFQNL_MSG_CONFIG, queue, payload)


def parse_packet(body):
    pid, payload = None, b""
    for kind, value in attributes(body):
        if kind == NFQA_PACKET_HDR:
            (pid,) = struct.unpack_from("!I", value)
        elif kind == NFQA_PAYLOAD:
            payload = value
    return pid, payload


def main():
    queue = int(sys.argv[1])
    sock = open_socket(4 << 20)
    config(sock, queue, attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)))
    config(sock, queue, attr(NFQA_CFG_PARAMS, struct.pack("!IB", COPY_RANGE, NFQNL_COPY_PACKET)))
    config(sock, queue, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 4096)))
    lock = threading.Lock()

    def verdict(pid, accept, mark=None):
        payload = attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT if accept else NF_DROP, pid))
        if mark is not None:
            payload += attr(NFQA_MARK, struct.pack("!I", mark))
        with lock:
            sock.send(message(NFNL_SUBSYS_QUEUE, NFQNL_MSG_VERDICT, queue, payload))

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
        lines = []
        for body in messages(data, NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET):
            pid, pkt = parse_packet(body)
            if pid is not None:
                line = packet_line(pid, pkt)
                if line is None or line.startswith("s "):
                    verdict(pid, True)  # no payload: nothing to read a name from
                if line is not None:
                    lines.append(line)
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
