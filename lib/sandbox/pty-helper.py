#!/usr/bin/env python3
# One interactive shell on a real TTY inside a running sandbox, for the web terminal.
#
# Why a helper: `runc exec --tty` hands the pty master over a unix socket with SCM_RIGHTS, which
# Node cannot receive without a native addon. This process receives it and proxies bytes:
#   fd 0 (from the runner): frames of 1 type byte + 4-byte big-endian length + payload:
#        b"d" input bytes for the shell, b"r" resize (cols, rows as two big-endian u16).
#        End of input (the runner closed the terminal or died) ends the shell.
#   fd 1 (to the runner): the terminal's output, raw bytes.
#   fd 3 (to the runner): status as JSON lines: {"event":"started","pid":N},
#        then {"event":"exit","code":N} or {"event":"error","message":"..."}.
#
# runc runs detached (-d) so that it can hand over the console; this process is a child
# subreaper, so the shell (runc's child) is reparented here when runc exits and reaped here, never
# left as a zombie. The shell and everything it started are stopped, then killed, by session and
# by descendants, whenever the terminal ends for any reason.
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import ctypes

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
START_TIMEOUT_S = 30
MAX_PENDING_INPUT = 1 << 20
READ_CHUNK = 1 << 16

status_fd = 3


def report(**event):
    try:
        os.write(status_fd, (json.dumps(event) + "\n").encode())
    except OSError:
        pass


def prctl(option, value):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def set_size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def stat_fields(pid):
    """(ppid, session id) of a host pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    rest = data[data.rfind(b")") + 2:].split()
    return int(rest[1]), int(rest[3])


def kill_tree(leader):
    """SIGSTOP everything in the shell's session or below it until the set is closed, then SIGKILL."""
    found = set()
    for _ in range(5):
        fresh = set()
        table = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                fields = stat_fields(int(name))
                if fields:
                    table[int(name)] = fields
        members = {leader} | found
        changed = True
        while changed:
            changed = False
            for pid, (ppid, sid) in table.items():
                if pid not in members and (sid == leader or ppid in members):
                    members.add(pid)
                    changed = True
        for pid in members - found:
            fresh.add(pid)
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        found |= fresh
        if not fresh:
            break
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def receive_console(listener, runc):
    """The pty master runc sends, or an error message when runc gives up first."""
    waited = 0.0
    while waited < START_TIMEOUT_S:
        ready, _, _ = select.select([listener], [], [], 0.05)
        if ready:
            conn, _ = listener.accept()
            with conn:
                _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
            if not fds:
                return None, "runc sent no console"
            return fds[0], None
        waited += 0.05
        if runc.poll() is not None:
            return None, runc_error(runc)
    return None, "runc did not hand over the console in time"


def runc_error(runc):
    """runc's own words (its last lines; the runner picks the error message out of them)."""
    text = runc.stderr.read().decode("utf8", "replace").strip() if runc.stderr else ""
    return text[-4000:] or f"runc exited with {runc.returncode}"


def stop(*_):
    raise SystemExit(0)


def main():
    config = json.loads(sys.argv[1])
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop)

    workdir = tempfile.mkdtemp(prefix="burrow-tty-")
    sock_path = os.path.join(workdir, "console.sock")
    pid_path = os.path.join(workdir, "shell.pid")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    args = [config["runtime"], "exec", "-d", "--tty", "--console-socket", sock_path, "--pid-file", pid_path, "--cwd", config["cwd"]]
    for key, value in config.get("env", {}).items():
        args += ["--env", f"{key}={value}"]
    args += [config["containerId"], *config["command"]]

    shell = 0
    master = -1
    try:
        runc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        master, problem = receive_console(listener, runc)
        if master is not None:
            set_size(master, config["cols"], config["rows"])
        try:
            runc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            runc.kill()
            runc.wait()
        if problem is None and runc.returncode != 0:
            problem = runc_error(runc)
        if problem is None:
            with open(pid_path) as f:
                shell = int(f.read().strip())
        if problem is not None:
            report(event="error", message=problem)
            return 1
        report(event="started", pid=shell)
        code = proxy(master, shell)
        if code is None:
            report(event="closed")
        else:
            report(event="exit", code=code)
        return 0
    finally:
        if shell:
            kill_tree(shell)
            reap_all()
        if master is not None and master >= 0:
            os.close(master)
        listener.close()
        for path in (sock_path, pid_path):
            try:
                os.unlink(path)
            except OSError:
                pass
        os.rmdir(workdir)


def reap_all():
    """Collects every child (the shell, reparented here) so none is left a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return


def shell_status(shell):
    """The shell's exit code once it has exited, else None. It is left a zombie (not reaped) so
    that its pid, and so its session id, cannot be reused before kill_tree has run."""
    try:
        info = os.waitid(os.P_PID, shell, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return 0
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else 128 + info.si_status


def proxy(master, shell):
    """Copies bytes both ways; the shell's exit code, or None when the runner closed our input."""
    os.set_blocking(master, False)
    frames = b""
    pending = b""
    input_open = True
    while True:
        readers = [master]
        if input_open and len(pending) < MAX_PENDING_INPUT:
            readers.append(0)
        writers = [master] if pending else []
        ready_r, ready_w, _ = select.select(readers, writers, [], 0.25)
        if master in ready_r:
            try:
                data = os.read(master, READ_CHUNK)
            except OSError as e:
                if e.errno in (errno.EIO, errno.EBADF):
                    data = b""
                elif e.errno == errno.EAGAIN:
                    data = None
                else:
                    raise
            if data == b"":
                # Every holder of the slave closed it: the shell and what it left behind are done.
                return wait_exit(shell)
            if data:
                write_all(1, data)
        if 0 in ready_r:
            chunk = os.read(0, READ_CHUNK)
            if not chunk:
                return None  # the runner closed the terminal; cleanup ends the shell
            frames += chunk
            frames, pending = parse_frames(frames, pending, master)
        if master in ready_w and pending:
            try:
                sent = os.write(master, pending)
                pending = pending[sent:]
            except BlockingIOError:
                pass
        code = shell_status(shell)
        if code is not None:
            drain(master)
            return code


def wait_exit(shell):
    for _ in range(40):
        code = shell_status(shell)
        if code is not None:
            return code
        select.select([], [], [], 0.05)
    return -1


def drain(master):
    """Output the shell wrote just before exiting still goes out."""
    for _ in range(64):
        try:
            data = os.read(master, READ_CHUNK)
        except OSError:
            return
        if not data:
            return
        write_all(1, data)


def parse_frames(frames, pending, master):
    while len(frames) >= 5:
        kind = frames[0:1]
        length = struct.unpack(">I", frames[1:5])[0]
        if len(frames) < 5 + length:
            break
        payload = frames[5:5 + length]
        frames = frames[5 + length:]
        if kind == b"d":
            pending += payload
        elif kind == b"r" and length == 4:
            cols, rows = struct.unpack(">HH", payload)
            set_size(master, cols, rows)
    return frames, pending


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a bug or an unexpected kernel answer: say it, never hang
        report(event="error", message=f"terminal helper failed: {e}")
        sys.exit(1)
