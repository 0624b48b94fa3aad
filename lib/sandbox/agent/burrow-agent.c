/*
 * burrow-agent: PID 1 of a sandbox, and the sandbox's exec service.
 *
 * Why: each exec used to start `runc exec` (a Go binary that re-reads the container's state, joins
 * its namespaces, sets up its cgroup, capabilities and seccomp filter): ~28 ms before the command
 * ran. This program is already inside with all of that applied, so starting a command is a fork
 * and an execve. Built static (`gcc -static -Os`, lib/sandbox/agent-binary.ts) so it needs nothing
 * from the sandbox's image; bound read-only at /dev/.burrow/agent (the sandbox's own /dev tmpfs:
 * never in a snapshot).
 *
 * As init it keeps the duties of the shell loop it replaces (build-oci-config.ts): it reaps every
 * orphan, ignores TERM, INT and HUP (the kernel already keeps other signals sent from inside away
 * from PID 1) and never exits on its own. Without its socket directory (fd 3) it is only an init.
 *
 * The exec'd commands are its descendants, so they inherit what runc gave PID 1 from config.json's
 * `process`: uid 0, capabilities (ambient too), rlimits, no_new_privs, seccomp filter, oom_score_adj,
 * cgroup and namespaces. That is what `runc exec` applies to its processes from the same `process`
 * (we pass it no other option than --cwd and --env), so commands run with the same rights.
 *
 * THE CHANNEL. runc hands PID 1 an open directory as fd 3 (`runc run --preserve-fds 1`): the host's
 * <sandbox>/agent/, which is not mounted anywhere in the sandbox. The agent binds agent.sock in it
 * (fchdir + bind) and closes it, so only the host can reach the socket; a connecting peer must also
 * be outside the sandbox's pid namespace (SO_PEERCRED pid 0) or it is dropped.
 *
 * PROTOCOL. One exec uses 3 or 4 connections, matched by a token the runner picks:
 *   every connection starts with a 22-byte hello: "BRW1", a role byte, a flag byte, a 16-byte token.
 *     role 'c' control (flag '1': a stdin connection comes too), 'i' stdin, 'o' stdout, 'e' stderr.
 *   control, runner -> agent: u32 little-endian length, then that many bytes of NUL-terminated
 *     strings: cwd, "KEY=VALUE" env entries (added to PID 1's env, replacing the same KEY), an empty
 *     string, then argv (at least one). Later a byte 'k' means: kill the command's process tree.
 *     Closing the connection before the exit line means the same.
 *   control, agent -> runner: "pid <n>\n" (in the sandbox's pid namespace) when the command started,
 *     then "exit <status>\n": the exit code, or 128+N when killed by signal N (as a shell says).
 *   stdin: the runner writes the bytes and closes; stdout/stderr: the agent writes the command's
 *     output and closes when every holder of the pipe has closed it (or the runner closed first).
 * Connections rather than descriptors passed with SCM_RIGHTS: the runner is Node, which cannot send
 * descriptors over a unix socket without a native addon. At most MAX_EXECS run at once; past that
 * (or if a fork fails) the connections close before a pid line and the runner uses `runc exec`.
 * The command runs as `/bin/sh -c '"$@"' sh argv...`, so "not found" (127), "permission denied"
 * (126) and exit codes read as they did through runc exec's shell wrapper. Its stdio are pipes (not
 * the sockets: `echo >/dev/stderr` cannot reopen a socket) that PID 1 relays to the connections.
 * PID 1 does the relaying, not the keeper below, because PID 1 is the one process `kill -9 -1`
 * inside cannot kill: output written after it still arrives, as it did through runc (outside).
 *
 * THE KEEPER. For each exec PID 1 forks a keeper that is a child subreaper
 * (PR_SET_CHILD_SUBREAPER) and forks the command: whatever the command starts, even a double-forked,
 * setsid()ed daemon, stays below the keeper while the command runs, so a kill finds the whole tree
 * (stop every process found by walking /proc/<pid>/task/<tid>/children until no new one appears,
 * then SIGKILL them all, as kill-process-tree.ts does from the host). The command itself is a
 * session leader (setsid), and its process group is killed too. When the command exits the keeper
 * says so and exits; what the command left running (a server started with `&`) is PID 1's to reap.
 * PID 1 closes an exec's control and output connections only once it has reaped the keeper, so the
 * result never counts the keeper among the sandbox's processes (pids.current, the pids limit).
 * Killed from inside (`kill -9 -1`), the keeper's end closes the control connection without an
 * exit line (the runner reports 137, as runc exec did when its wrapper was killed).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIR_FD 3
#define SOCKET_NAME "agent.sock"
#define HELLO_LEN 22
#define TOKEN_LEN 16
#define MAX_PENDING 256          /* connections waiting for their exec's other connections */
#define MAX_EXECS 256            /* execs at once; past it the connections close (runner: runc exec) */
#define PENDING_TIMEOUT_S 10     /* an exec's connections all arrive within microseconds */
#define MAX_REQUEST (4 << 20)    /* argv + env + cwd */
#define RELAY_BUF 32768
#define MAX_TREE 8192
#define KILL_ROUNDS 5

extern char **environ;

/* ---------- small helpers ---------- */

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd, buf, len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      struct pollfd p = {fd, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void say(int fd, const char *msg) { write_all(fd, msg, strlen(msg)); }

/* strerror as Go (and so runc) words it: "no such file or directory". */
static const char *go_strerror(int e) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
  return buf;
}

/* Reads exactly len bytes, with a deadline so a silent peer cannot hold the keeper. */
static int read_full(int fd, char *buf, size_t len, int timeout_ms) {
  while (len > 0) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return -1;
    ssize_t n = read(fd, buf, len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Closes every descriptor from 3 up but those in keep[] (a forked child must hold no one else's). */
static void close_others(int *keep, int n) {
  qsort(keep, (size_t)n, sizeof *keep, cmp_int);
  unsigned lo = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] < (int)lo) continue;
    if ((unsigned)keep[i] > lo) close_range(lo, (unsigned)keep[i] - 1, 0);
    lo = (unsigned)keep[i] + 1;
  }
  close_range(lo, ~0U, 0);
}

/* ---------- killing a process tree (in the keeper) ---------- */

static pid_t tree[MAX_TREE];
static int tree_len;

static int in_tree(pid_t p) {
  for (int i = 0; i < tree_len; i++)
    if (tree[i] == p) return 1;
  return 0;
}

/* Adds the children of pid (every thread's) to tree[], stopping each; returns how many were new. */
static int add_children(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  int added = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char cpath[320], buf[4096];
    snprintf(cpath, sizeof cpath, "/proc/%d/task/%s/children", pid, e->d_name);
    int fd = open(cpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    for (char *s = buf; *s;) {
      char *end;
      long c = strtol(s, &end, 10);
      if (end == s) break;
      s = end;
      if (c > 1 && !in_tree((pid_t)c) && tree_len < MAX_TREE) {
        tree[tree_len++] = (pid_t)c;
        kill((pid_t)c, SIGSTOP); /* a stopped process cannot fork: the set closes */
        added++;
      }
    }
  }
  closedir(d);
  return added;
}

/* Everything below the keeper (the command, its descendants, orphans reparented to the keeper). */
static void kill_tree(pid_t command) {
  kill(-command, SIGSTOP);
  tree_len = 0;
  for (int round = 0; round < KILL_ROUNDS; round++) {
    int added = add_children(getpid());
    for (int i = 0; i < tree_len; i++) added += add_children(tree[i]); /* also those found just now */
    if (added == 0) break;
  }
  kill(-command, SIGKILL);
  for (int i = 0; i < tree_len; i++) kill(tree[i], SIGKILL);
}

/* ---------- the command (child of the keeper) ---------- */

static const char *env_key_end(const char *kv) {
  const char *eq = strchr(kv, '=');
  return eq ? eq : kv + strlen(kv);
}

/* PID 1's environment (config.json's process.env) with the request's entries added or replacing. */
static char **merged_env(char **extra, int n_extra) {
  int n_base = 0;
  while (environ[n_base]) n_base++;
  char **out = calloc((size_t)(n_base + n_extra + 1), sizeof *out);
  if (!out) return extra;
  int n = 0;
  for (int i = 0; i < n_base; i++) {
    size_t klen = (size_t)(env_key_end(environ[i]) - environ[i]);
    int replaced = 0;
    for (int j = 0; j < n_extra && !replaced; j++)
      replaced = (size_t)(env_key_end(extra[j]) - extra[j]) == klen && strncmp(extra[j], environ[i], klen) == 0;
    if (!replaced) out[n++] = environ[i];
  }
  for (int j = 0; j < n_extra; j++) out[n++] = extra[j];
  out[n] = NULL;
  return out;
}

static void __attribute__((noreturn))
run_command(int in, int out, int err, const char *cwd, char **env, int n_env, char **argv, int argc) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL); /* PID 1 ignores TERM, INT, HUP and PIPE */
  setsid();
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  close_range(3, ~0U, 0);
  if (chdir(cwd) != 0) {
    /* runc exec's words, so callers see what they saw before. */
    char msg[4200];
    snprintf(msg, sizeof msg, "unable to start container process: chdir to cwd (\"%s\") set in config.json failed: %s\n", cwd, go_strerror(errno));
    say(2, msg);
    _exit(126);
  }
  char **args = calloc((size_t)argc + 5, sizeof *args);
  args[0] = "/bin/sh";
  args[1] = "-c";
  args[2] = "\"$@\"";
  args[3] = "sh";
  for (int i = 0; i < argc; i++) args[4 + i] = argv[i];
  execve("/bin/sh", args, merged_env(env, n_env));
  int e = errno;
  char msg[256];
  snprintf(msg, sizeof msg, "unable to start container process: exec: \"/bin/sh\": %s\n", go_strerror(e));
  say(2, msg);
  _exit(e == ENOENT ? 127 : 126);
}

/* ---------- the keeper: one exec's command, its tree and its status ---------- */

/* The agent's stderr is the sandbox's init.log (the session's log): say why an exec never started. */
static void __attribute__((noreturn)) fail(const char *why) {
  char msg[160];
  snprintf(msg, sizeof msg, "burrow-agent: exec not started: %s (%s)\n", why, go_strerror(errno));
  write_all(2, msg, strlen(msg));
  _exit(1);
}

static void __attribute__((noreturn)) keeper(int ctl, int in, int out, int err) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "burrow-exec");
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK); /* SIGCHLD stays blocked, as in PID 1 */
  uint32_t len;
  if (read_full(ctl, (char *)&len, 4, 10000) != 0 || len == 0 || len > MAX_REQUEST) fail("no request");
  char *req = malloc(len + 1);
  if (!req || read_full(ctl, req, len, 10000) != 0) fail("short request");
  req[len] = 0;
  /* Split the NUL-terminated strings: cwd, env..., "", argv... */
  char **fields = calloc(len + 1, sizeof *fields);
  int nf = 0;
  for (size_t i = 0; i < len; i += strlen(req + i) + 1) fields[nf++] = req + i;
  int sep = 1;
  while (sep < nf && fields[sep][0]) sep++;
  if (nf < 1 || sep >= nf - 1) fail("no argv");
  /* Queued while the sandbox was frozen and given up by the runner since: do not start it now. */
  struct pollfd gone = {ctl, POLLRDHUP, 0};
  if (poll(&gone, 1, 0) > 0 && (gone.revents & (POLLRDHUP | POLLHUP))) _exit(1);

  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) run_command(in, out, err, fields[0], fields + 1, sep - 1, fields + sep + 1, nf - sep - 1);
  close(in);
  close(out);
  close(err);
  char line[64];
  snprintf(line, sizeof line, "pid %d\n", child);
  say(ctl, line);

  int ctl_open = 1;
  for (;;) {
    struct pollfd p[2] = {{sigfd, POLLIN, 0}, {ctl_open ? ctl : -1, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) continue;
    if (p[1].revents) {
      char c;
      ssize_t got = read(ctl, &c, 1);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) ctl_open = 0;
      /* 'k', or the runner went away before the exit: kill the tree. */
      if (got == 0 || (got == 1 && c == 'k') || !ctl_open) kill_tree(child);
    }
    if (p[0].revents) {
      struct signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) > 0) {}
    }
    int status;
    pid_t w;
    while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
      if (w != child) continue;
      snprintf(line, sizeof line, "exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      if (ctl_open) say(ctl, line);
      _exit(0); /* what is left below it goes to PID 1 */
    }
  }
}

/* ---------- PID 1 ---------- */

struct conn {
  int fd;
  time_t since;
  int have; /* hello bytes read; -1: drop */
  char hello[HELLO_LEN];
};

static struct conn pending[MAX_PENDING];
static int n_pending;

/* One byte stream: the runner's stdin connection into the command's stdin pipe, or the command's
 * stdout/stderr pipe out to the runner's connection. */
struct relay {
  int from, to;  /* -1 once closed */
  int to_runner; /* output: `to` is the runner's connection, also watched for the runner's close */
  size_t len, off;
  char *buf;
};

struct exec {
  pid_t keeper; /* 0: slot free */
  int ctl;      /* PID 1's copy, closed when the keeper is reaped */
  struct relay r[3];
};

static struct exec execs[MAX_EXECS];

static void drop(int i) {
  close(pending[i].fd);
  pending[i] = pending[--n_pending];
}

static int find(const char *token, char role) {
  for (int i = 0; i < n_pending; i++)
    if (pending[i].have == HELLO_LEN && pending[i].hello[4] == role && memcmp(pending[i].hello + 6, token, TOKEN_LEN) == 0) return i;
  return -1;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* The input side of a relay is done (end of data, or nobody to write to). An output connection
 * stays open until the keeper is reaped (see the header); stdin's pipe closes now (the command's EOF). */
static void relay_done(struct exec *x, struct relay *r) {
  close_fd(&r->from);
  r->len = 0;
  if (!r->to_runner || x->keeper < 0) close_fd(&r->to);
}

static void release_if_done(struct exec *x) {
  if (x->keeper >= 0) return;
  for (int i = 0; i < 3; i++)
    if (x->r[i].from >= 0 || x->r[i].to >= 0) return;
  for (int i = 0; i < 3; i++) free(x->r[i].buf);
  memset(x, 0, sizeof *x);
}

static void keeper_reaped(pid_t pid) {
  for (int i = 0; i < MAX_EXECS; i++) {
    struct exec *x = &execs[i];
    if (x->keeper != pid || pid <= 0) continue;
    x->keeper = -1; /* gone */
    close_fd(&x->ctl);
    relay_done(x, &x->r[0]); /* the command is gone: no one reads stdin any more */
    for (int j = 1; j < 3; j++)
      if (x->r[j].from < 0) close_fd(&x->r[j].to);
    release_if_done(x);
    return;
  }
}

/* When every connection of the exec whose hello just completed is here: pipes, keeper, relays. */
static void try_start(const char *token) {
  int c = find(token, 'c'), o = find(token, 'o'), e = find(token, 'e');
  if (c < 0 || o < 0 || e < 0) return;
  int wants_in = pending[c].hello[5] == '1';
  int in = wants_in ? find(token, 'i') : -1;
  if (wants_in && in < 0) return;
  int fds[4] = {pending[c].fd, in >= 0 ? pending[in].fd : -1, pending[o].fd, pending[e].fd};
  /* They are this exec's now: out of pending[] (closed below if it cannot start). */
  for (int j = 0; j < 4; j++)
    for (int i = 0; i < n_pending; i++)
      if (fds[j] >= 0 && pending[i].fd == fds[j]) { pending[i] = pending[--n_pending]; break; }

  struct exec *x = NULL;
  for (int i = 0; i < MAX_EXECS && !x; i++)
    if (execs[i].keeper == 0) x = &execs[i];
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int ok = x != NULL;
  if (ok && fds[1] >= 0) ok = pipe2(in_pipe, O_CLOEXEC) == 0;
  else if (ok) ok = (in_pipe[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;
  ok = ok && pipe2(out_pipe, O_CLOEXEC) == 0 && pipe2(err_pipe, O_CLOEXEC) == 0;
  pid_t k = ok ? fork() : -1;
  if (k == 0) {
    int keep[4] = {fds[0], in_pipe[0], out_pipe[1], err_pipe[1]};
    close_others(keep, 4);
    keeper(fds[0], in_pipe[0], out_pipe[1], err_pipe[1]);
  }
  close_fd(&in_pipe[0]);
  close_fd(&out_pipe[1]);
  close_fd(&err_pipe[1]);
  if (k < 0) { /* the runner sees its connections close before a pid line, and uses runc exec */
    for (int j = 0; j < 4; j++) close_fd(&fds[j]);
    close_fd(&in_pipe[1]);
    close_fd(&out_pipe[0]);
    close_fd(&err_pipe[0]);
    return;
  }
  x->keeper = k;
  x->ctl = fds[0];
  x->r[0] = (struct relay){fds[1], in_pipe[1], 0, 0, 0, NULL};
  x->r[1] = (struct relay){out_pipe[0], fds[2], 1, 0, 0, NULL};
  x->r[2] = (struct relay){err_pipe[0], fds[3], 1, 0, 0, NULL};
  for (int i = 0; i < 3; i++) {
    struct relay *r = &x->r[i];
    if (r->from < 0 || r->to < 0) { close_fd(&r->from); close_fd(&r->to); continue; }
    nonblock(r->from);
    nonblock(r->to);
    r->buf = malloc(RELAY_BUF);
    if (!r->buf) { close_fd(&r->from); close_fd(&r->to); }
  }
}

/* One step of a relay: its source is readable (read, then write), or its destination is ready. */
static void relay_step(struct exec *x, struct relay *r, int dst) {
  if (dst) {
    if (r->to < 0) return;
    if (r->len == 0) {
      /* The runner's output connection is readable: it closed (it never sends). Writers of the
       * pipe get EPIPE from now on, as they did when runc's copy found its reader gone. */
      close_fd(&r->to);
      close_fd(&r->from);
      return;
    }
  } else {
    if (r->from < 0 || r->len > 0) return;
    ssize_t got = read(r->from, r->buf, RELAY_BUF);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (got <= 0) return relay_done(x, r); /* end of input: pass the end on */
    r->len = (size_t)got;
    r->off = 0;
  }
  ssize_t put = write(r->to, r->buf + r->off, r->len);
  if (put < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (put < 0) { /* EPIPE: the reader is gone */
    close_fd(&r->to);
    close_fd(&r->from);
    r->len = 0;
    return;
  }
  r->off += (size_t)put;
  r->len -= (size_t)put;
}

static int open_listener(void) {
  struct stat st;
  if (fstat(DIR_FD, &st) != 0 || !S_ISDIR(st.st_mode)) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, SOCKET_NAME);
  /* Relative to the host directory: bind() takes no dirfd, so fchdir there and back. */
  int ok = fd >= 0 && fchdir(DIR_FD) == 0;
  if (ok) {
    unlink(SOCKET_NAME);
    ok = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 128) == 0;
  }
  if (chdir("/") != 0) ok = 0;
  close(DIR_FD);
  if (!ok && fd >= 0) { close(fd); fd = -1; }
  return fd;
}

/* What a poll entry is: a pending hello, or side (0 source, 1 destination) of relay r of exec x. */
struct slot { int kind, idx, r, dst; };
enum { SIGNALS, LISTENER, HELLO, RELAY };
#define MAX_POLL (2 + MAX_PENDING + MAX_EXECS * 6)

int main(void) {
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  /* Left dumpable: `echo … >> /proc/1/fd/1` (the main output) must keep working. Nothing inside
   * can take PID 1's descriptors: the seccomp profile refuses ptrace and pidfd_getfd, and a socket
   * cannot be opened through /proc/1/fd. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  int listen_fd = open_listener();
  if (listen_fd >= 0) nonblock(listen_fd);
  static struct pollfd p[MAX_POLL];
  static struct slot what[MAX_POLL];

  for (;;) {
    int n = 0;
    p[n] = (struct pollfd){sigfd, POLLIN, 0}; what[n++] = (struct slot){SIGNALS, 0, 0, 0};
    if (listen_fd >= 0 && n_pending < MAX_PENDING) { p[n] = (struct pollfd){listen_fd, POLLIN, 0}; what[n++] = (struct slot){LISTENER, 0, 0, 0}; }
    /* Only connections still sending their hello: after it come request or stdin bytes, the keeper's. */
    for (int i = 0; i < n_pending; i++)
      if (pending[i].have < HELLO_LEN) { p[n] = (struct pollfd){pending[i].fd, POLLIN, 0}; what[n++] = (struct slot){HELLO, i, 0, 0}; }
    for (int i = 0; i < MAX_EXECS; i++) {
      if (execs[i].keeper == 0) continue;
      for (int j = 0; j < 3; j++) {
        struct relay *r = &execs[i].r[j];
        if (r->from >= 0 && r->len == 0) { p[n] = (struct pollfd){r->from, POLLIN, 0}; what[n++] = (struct slot){RELAY, i, j, 0}; }
        /* Waiting for room; or, for the runner's end, watching for it to go away. */
        if (r->to >= 0 && (r->len > 0 || r->to_runner)) { p[n] = (struct pollfd){r->to, (short)(r->len > 0 ? POLLOUT : POLLIN), 0}; what[n++] = (struct slot){RELAY, i, j, 1}; }
      }
    }
    int ready = poll(p, (nfds_t)n, n_pending ? 1000 : -1);
    int accept_now = 0, n_done = 0;
    char done[MAX_PENDING][TOKEN_LEN];
    for (int k = 0; ready > 0 && k < n; k++) {
      if (!p[k].revents) continue;
      struct slot s = what[k];
      if (s.kind == SIGNALS) {
        struct signalfd_siginfo si;
        while (read(sigfd, &si, sizeof si) > 0) {}
      } else if (s.kind == LISTENER) {
        accept_now = 1;
      } else if (s.kind == HELLO) {
        struct conn *c = &pending[s.idx];
        ssize_t got = read(c->fd, c->hello + c->have, (size_t)(HELLO_LEN - c->have));
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got <= 0) { c->have = -1; continue; }
        c->have += (int)got;
        if (c->have < HELLO_LEN) continue;
        if (memcmp(c->hello, "BRW1", 4) != 0 || !strchr("cioe", c->hello[4])) c->have = -1;
        else memcpy(done[n_done++], c->hello + 6, TOKEN_LEN);
      } else {
        struct exec *x = &execs[s.idx];
        if (x->keeper == 0) continue; /* released earlier in this round */
        relay_step(x, &x->r[s.r], s.dst);
        release_if_done(x);
      }
    }
    /* Reap: keepers, and every orphan reparented to PID 1. */
    pid_t w;
    while ((w = waitpid(-1, NULL, WNOHANG)) > 0) keeper_reaped(w);
    /* pending[] changes only from here on (the poll entries above refer to its indexes). */
    for (int i = n_pending - 1; i >= 0; i--)
      if (pending[i].have < 0) drop(i);
    for (int d = 0; d < n_done; d++) try_start(done[d]);
    while (accept_now && n_pending < MAX_PENDING) {
      int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) break;
      struct ucred cred;
      socklen_t cl = sizeof cred;
      /* Only the host: a peer in this pid namespace (pid > 0) has no business here. */
      if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.pid != 0) { close(fd); continue; }
      pending[n_pending++] = (struct conn){fd, time(NULL), 0, {0}};
    }
    time_t now = time(NULL);
    for (int i = n_pending - 1; i >= 0; i--)
      if (now - pending[i].since > PENDING_TIMEOUT_S) drop(i);
  }
}
