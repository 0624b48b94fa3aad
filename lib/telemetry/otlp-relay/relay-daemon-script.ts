// The relay daemon (python3, run by the runner as root): for each sandbox it is told about, it
// enters the sandbox's network namespace just long enough to open a listening socket on
// 127.0.0.1:<port> there (a socket stays in the namespace it was made in), then copies every
// connection to the runner's unix socket. One process serves every sandbox of the runner.
// Commands on stdin: "add <session> <init pid>", "remove <session>"; answers on stdout:
// "ok <session>" or "err <session> <why>"; "ready" once at start.
export const RELAY_DAEMON = String.raw`
import asyncio, ctypes, os, signal, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: go when the runner goes
if os.getppid() == 1: sys.exit(0)
SOCK, PORT = sys.argv[1], int(sys.argv[2])
CLONE_NEWNET = 0x40000000
HOME = os.open("/proc/self/ns/net", os.O_RDONLY)
servers = {}

def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

def listener_in(pid):
    fd = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
    try:
        setns(fd)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", PORT))
            s.listen(128)
            s.setblocking(False)
            return s
        finally:
            setns(HOME)
    finally:
        os.close(fd)

async def pipe(r, w):
    try:
        while True:
            data = await r.read(65536)
            if not data: break
            w.write(data)
            await w.drain()
        if w.can_write_eof(): w.write_eof()
    except Exception:
        pass

async def handle(r, w):
    try:
        ur, uw = await asyncio.open_unix_connection(SOCK)
    except OSError:
        w.close()
        return
    await asyncio.gather(pipe(r, uw), pipe(ur, w))
    w.close()
    uw.close()

def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

async def command(parts):
    if len(parts) == 3 and parts[0] == "add":
        old = servers.pop(parts[1], None)
        if old: old.close()
        try:
            servers[parts[1]] = await asyncio.start_server(handle, sock=listener_in(int(parts[2])))
            say("ok " + parts[1])
        except Exception as e:
            say("err %s %s" % (parts[1], e))
    elif len(parts) == 2 and parts[0] == "remove":
        old = servers.pop(parts[1], None)
        if old: old.close()
        say("ok " + parts[1])

async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    say("ready")
    while True:
        line = await reader.readline()
        if not line: break
        await command(line.decode().split())

asyncio.run(main())
`;
