#!/usr/bin/env python3
# Reads the kernel's NFLOG messages of one group (nft `log group N`) over netlink and prints one
# JSON line per logged packet: {"prefix", "src", "dst", "proto", "dport"}. Node has no netlink
# sockets, so this small reader is the runner's one Python piece; it needs only the standard library.
# Exits when stdin closes (its parent is gone).
import json, os, select, socket, struct, sys, threading

NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE, NFULA_CFG_QTHRESH = 1, 2, 4
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_PAYLOAD, NFULA_PREFIX = 9, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
PROTOS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


def attr(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * ((4 - length % 4) % 4)


def config(sock, group, payload):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(group)) + payload
    msg = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, 0, 0) + body
    sock.send(msg)
    data = sock.recv(65536)
    _, kind = struct.unpack_from("=IH", data)
    if kind == NLMSG_ERROR:
        (err,) = struct.unpack_from("=i", data, 16)
        if err != 0:
            raise OSError(-err, os.strerror(-err))


def parse_packet(body):
    prefix, payload = "", b""
    off = 4  # nfgenmsg
    while off + 4 <= len(body):
        length, kind = struct.unpack_from("=HH", body, off)
        if length < 4:
            break
        value = body[off + 4 : off + length]
        kind &= 0x3FFF
        if kind == NFULA_PREFIX:
            prefix = value.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif kind == NFULA_PAYLOAD:
            payload = value
        off += (length + 3) & ~3
    event = {"prefix": prefix}
    if len(payload) >= 20 and payload[0] >> 4 == 4:
        ihl = (payload[0] & 15) * 4
        proto = payload[9]
        event.update(src=socket.inet_ntop(socket.AF_INET, payload[12:16]), dst=socket.inet_ntop(socket.AF_INET, payload[16:20]), proto=PROTOS.get(proto, str(proto)))
        if proto in (6, 17) and len(payload) >= ihl + 4:
            event["dport"] = struct.unpack_from("!H", payload, ihl + 2)[0]
    elif len(payload) >= 40 and payload[0] >> 4 == 6:
        proto = payload[6]
        event.update(src=socket.inet_ntop(socket.AF_INET6, payload[8:24]), dst=socket.inet_ntop(socket.AF_INET6, payload[24:40]), proto=PROTOS.get(proto, str(proto)))
        if proto in (6, 17) and len(payload) >= 44:
            event["dport"] = struct.unpack_from("!H", payload, 42)[0]
    return event


def main():
    group = int(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    # A burst of refused attempts must wait in the kernel while this reader is busy (a loaded host):
    # 8 MiB holds tens of thousands of messages. SO_RCVBUF is capped by net.core.rmem_max (often
    # 208 KiB, about a thousand); as root, SO_RCVBUFFORCE (33) is not.
    try:
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 8 << 20)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((0, 0))
    config(sock, group, attr(NFULA_CFG_CMD, struct.pack("=B", NFULNL_CFG_CMD_BIND)))
    config(sock, group, attr(NFULA_CFG_MODE, struct.pack("!IBB", 64, NFULNL_COPY_PACKET, 0)))
    # One message per packet, at once (the kernel's default batches 100 or waits a second).
    config(sock, group, attr(NFULA_CFG_QTHRESH, struct.pack("!I", 1)))
    # The parent closing our stdin ends us.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    lost = 0
    while True:
        try:
            data = sock.recv(1 << 20)
        except OSError as e:  # ENOBUFS: the kernel dropped messages we were too slow for
            lost += 1
            out.write(json.dumps({"overrun": lost}) + "\n")
            out.flush()
            continue
        off = 0
        lines = []
        while off + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, off)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET:
                lines.append(json.dumps(parse_packet(data[off + 16 : off + length])))
            off += (length + 3) & ~3
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
