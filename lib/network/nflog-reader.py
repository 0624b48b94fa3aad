#!/usr/bin/env python3
# Reads the kernel's NFLOG messages of one group (nft `log group N`) over netlink and prints one
# JSON line per logged packet: {"prefix", "src", "dst", "proto", "dport"}. Node has no netlink
# sockets, so this small reader is the runner's one Python piece; it needs only the standard library.
# Exits when stdin closes (its parent is gone).
import json, os, socket, struct, sys, threading

from nfnetlink import attr, attributes, configure, messages, open_socket

NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE, NFULA_CFG_QTHRESH = 1, 2, 4
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_PAYLOAD, NFULA_PREFIX = 9, 10
PROTOS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


def config(sock, group, payload):
    configure(sock, NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG, group, payload)


def parse_packet(body):
    prefix, payload = "", b""
    for kind, value in attributes(body):
        if kind == NFULA_PREFIX:
            prefix = value.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif kind == NFULA_PAYLOAD:
            payload = value
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
    # A burst of refused attempts must wait in the kernel while this reader is busy (a loaded host):
    # 8 MiB holds tens of thousands of messages.
    sock = open_socket(8 << 20)
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
        lines = [json.dumps(parse_packet(body)) for body in messages(data, NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET)]
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
