# The netfilter netlink plumbing both of the runner's readers share (nflog-reader.py: NFLOG, the
# flight recorder; nfqueue-reader.py: NFQUEUE, the name inspection): a socket with a receive buffer
# big enough to ride out a busy moment, nfnetlink messages and attributes built and read, and a
# subsystem's configuration acknowledged. Standard library only (Node has no netlink sockets).
import os, socket, struct

NETLINK_NETFILTER = 12
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def open_socket(rcvbuf):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    # SO_RCVBUF is capped by net.core.rmem_max (often 208 KiB); as root, SO_RCVBUFFORCE (33) is not.
    try:
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), rcvbuf)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((0, 0))
    return sock


def attr(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * ((4 - length % 4) % 4)


def message(subsys, kind, res_id, payload, flags=NLM_F_REQUEST):
    """One nfnetlink message: the netlink header, nfgenmsg (res_id: the group or queue), attributes."""
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(res_id)) + payload
    return struct.pack("=IHHII", 16 + len(body), (subsys << 8) | kind, flags, 0, 0) + body


def configure(sock, subsys, kind, res_id, payload):
    """Sends a configuration message and waits for its acknowledgement; a refusal raises OSError."""
    sock.send(message(subsys, kind, res_id, payload, NLM_F_REQUEST | NLM_F_ACK))
    while True:
        data = sock.recv(65536)
        _, msg_kind = struct.unpack_from("=IH", data)
        if msg_kind == NLMSG_ERROR:
            (err,) = struct.unpack_from("=i", data, 16)
            if err != 0:
                raise OSError(-err, os.strerror(-err))
            return


def messages(data, subsys, kind):
    """The bodies (after the netlink header) of the messages of this subsystem and kind in one read."""
    off = 0
    while off + 16 <= len(data):
        length, msg_kind = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if msg_kind == (subsys << 8) | kind:
            yield data[off + 16 : off + length]
        off += (length + 3) & ~3


def attributes(body):
    """(kind, value) of each attribute of a message body, after its nfgenmsg."""
    off = 4
    while off + 4 <= len(body):
        length, kind = struct.unpack_from("=HH", body, off)
        if length < 4:
            break
        yield kind & 0x3FFF, body[off + 4 : off + length]
        off += (length + 3) & ~3
