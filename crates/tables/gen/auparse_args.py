"""Syscall-argument interpretation tables of libauparse 3.0.9, and io_uring ops.

Imported by generate.py (writes src/generated/auparse.rs).

auditctl 3.0.9 `-l -i` interprets `-F a0..a3` of single-syscall rules with
auparse (`auparse_do_interpretation` -> `print_a0`..`print_a3` in
auparse/interpret.c), whose name tables (ptracetab.h, open-flagtab.h, ...)
are compiled into libauparse.so.0. This module reads them back through
libauparse itself (python3-audit's `auparse` module): for each table it
feeds SYSCALL records whose syscall routes the argument to that table's
printer and records what auparse prints for candidate values.

Candidates: every value of a dense range (0..DENSE) plus every 32-bit word
stored in libauparse.so.0's .rodata (gen_tables stores sparse tables as
sorted value arrays there; dense ones are covered by the range). Flag
tables are probed bit by bit; an entry's value is the union of the bits
whose probe prints it, and entries are listed in ascending value order (the
order auparse prints them; checked against pair probes).

io_uring: the names of `enum io_uring_op` in /usr/include/linux/io_uring.h
(linux-libc-dev), lowercased without `IORING_OP_`, restricted to the ops
the kernel audits, as listed in audit-userspace 3.1's lib/uringop_table.h
(the table auditctl 3.1 uses for `-S` on the io_uring list).
"""

import os
import re
import struct

import auparse

X86_64 = 0xC000003E
I386 = 0x40000003

HEAD = ("type=SYSCALL msg=audit({ts}.000:{n}): arch={arch:x} syscall={sc} success=yes "
        "exit=0 a0={a0:x} a1={a1:x} a2={a2:x} a3={a3:x} items=0 ppid=1 pid=2 auid=0 uid=0 "
        "gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" "
        "exe=\"/x\" key=(null)\n")


def interpret(arch, sc, argi, values, a0=0, a1=0):
    """auparse's interpretation of a<argi> for each value (other args fixed)."""
    parts = []
    for n, v in enumerate(values):
        args = [a0, a1, 0, 0]
        args[argi] = v
        # Distinct timestamps: auparse completes each event at once.
        parts.append(HEAD.format(ts=n + 1, n=n + 1, arch=arch, sc=sc, a0=args[0],
                                 a1=args[1], a2=args[2], a3=args[3]))
    au = auparse.AuParser(auparse.AUSOURCE_BUFFER, "".join(parts))
    out = []
    name = f"a{argi}"
    while au.parse_next_event():
        au.first_record()
        au.find_field(name)
        out.append(au.interpret_field())
    assert len(out) == len(values), (sc, argi, len(out), len(values))
    return out


def libauparse_path():
    for cand in ("/lib/x86_64-linux-gnu/libauparse.so.0", "/usr/lib/x86_64-linux-gnu/libauparse.so.0"):
        if os.path.exists(cand):
            return os.path.realpath(cand)
    raise SystemExit("libauparse.so.0 not found")


def rodata_words():
    """Every distinct little-endian u32 in libauparse.so.0's .rodata (ELF64)."""
    data = open(libauparse_path(), "rb").read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = []
    for i in range(shnum):
        name, _type, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        secs.append((name, off, size))
    stroff = secs[shstrndx][1]
    for name, off, size in secs:
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".rodata":
            words = set()
            for p in range(off, off + size - 3, 4):
                words.add(struct.unpack_from("<I", data, p)[0])
            return sorted(words)
    raise SystemExit(".rodata not found in libauparse.so.0")


def enum_table(arch, sc, argi, candidates, unknown, a0=0, a1=0):
    """(value, name) for every candidate auparse names (sorted by value)."""
    candidates = sorted(set(candidates))
    got = interpret(arch, sc, argi, candidates, a0, a1)
    return [(v, s) for v, s in zip(candidates, got) if not unknown(v, s)]


def flag_table(arch, sc, argi, base=0, strip=(), a0=0, a1=0, bits=range(32)):
    """Entries of a flag table: probe base|bit for each bit, drop the names
    `strip` that base itself produces. Returns [(value, name)] by value."""
    bits = list(bits)
    got = interpret(arch, sc, argi, [base | (1 << b) for b in bits], a0, a1)
    value = {}
    for b, s in zip(bits, got):
        if s.startswith("0x"):
            continue
        for name in s.split("|"):
            if name in strip:
                continue
            value[name] = value.get(name, 0) | (1 << b)
    table = sorted(((v, n) for n, v in value.items()), key=lambda e: (e[0], e[1]))
    # Pair probes: the printed order must be the table (value) order.
    pairs = [(i, j) for i in bits for j in bits if i < j]
    got = interpret(arch, sc, argi, [base | (1 << i) | (1 << j) for i, j in pairs], a0, a1)
    order = [n for _, n in table]
    for (i, j), s in zip(pairs, got):
        if s.startswith("0x"):
            continue
        names = [n for n in s.split("|") if n not in strip]
        idx = [order.index(n) for n in names]
        assert idx == sorted(idx), (sc, argi, i, j, s)
    return table


def x86(name):
    return audit_syscall_number(name, "x86_64")


def audit_syscall_number(name, machine):
    import audit
    m = audit.audit_name_to_machine(machine)
    n = audit.audit_name_to_syscall(name, m)
    assert n >= 0, (name, machine)
    return n


def io_uring_ops():
    text = open("/usr/include/linux/io_uring.h").read()
    body = re.search(r"enum io_uring_op\s*\{(.*?)\}", text, re.S).group(1)
    names = re.findall(r"\bIORING_OP_(\w+)", body)
    # audit-userspace 3.1 lib/uringop_table.h: the auditable ops.
    audited = {"sendmsg", "recvmsg", "accept", "connect", "fallocate", "openat", "close",
               "openat2", "shutdown", "renameat", "unlinkat", "mkdirat", "symlinkat",
               "linkat", "msg_ring", "fsetxattr", "setxattr", "fgetxattr", "getxattr",
               "uring_cmd", "sendmsg_zc"}
    ops = [(i, n.lower()) for i, n in enumerate(names) if n != "LAST" and n.lower() in audited]
    assert {n for _, n in ops} == audited, audited - {n for _, n in ops}
    return ops


def socket_levels():
    """The socket level table, probed with an empty /etc/protocols."""
    import json
    import subprocess
    import sys
    script = ("mount --bind /dev/null /etc/protocols && exec /usr/bin/python3 "
              f"{os.path.abspath(__file__)} --socket-levels")
    try:
        out = subprocess.run(["unshare", "-Urm", "sh", "-c", script], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"socket levels need `unshare -Urm` (user namespaces): {e}")
    return [tuple(e) for e in json.loads(out)]


def socket_levels_here():
    so = x86("setsockopt")
    cands = [v for v in range(1024) if v != 1]
    return enum_table(X86_64, so, 1, cands, lambda v, s: s.startswith("unknown"))


def tables():
    """name -> (doc, [(value, name)])."""
    words = rodata_words()
    dense = range(0, 0x10000)
    sparse = list(dense) + words
    unk = lambda v, s: s.startswith("unknown")
    t = {}

    def enum(key, doc, sc, argi, cands, unknown=unk, arch=X86_64, a0=0, a1=0):
        t[key] = (doc, enum_table(arch, sc, argi, cands, unknown, a0, a1))

    def flags(key, doc, sc, argi, **kw):
        t[key] = (doc, flag_table(X86_64, sc, argi, **kw))

    enum("SIGNALS", "signal names (signaltab.h): `kill` a1", x86("kill"), 1, range(32))
    enum("CLOCK_IDS", "clock ids (clocktab.h): `clock_settime` a0", x86("clock_settime"), 0, range(64))
    # personality: auparse 3.0.9 looks up the low byte (PER_MASK); the
    # ADDR_NO_RANDOMIZE bit (0x0040000) is printed apart.
    enum("PERSONALITIES", "personalities (persontab.h): `personality` a0, low byte",
         x86("personality"), 0, range(256))
    enum("PTRACE_REQUESTS", "ptrace requests (ptracetab.h): `ptrace` a0", x86("ptrace"), 0, sparse)
    enum("PRCTL_OPTIONS", "prctl options (prctl-opt-tab.h): `prctl` a0", x86("prctl"), 0, sparse)
    enum("RLIMITS", "resource limits (rlimittab.h): `setrlimit` a0", x86("setrlimit"), 0, range(64))
    enum("SOCKET_FAMILIES", "address families (famtab.h): `socket` a0", x86("socket"), 0, sparse)
    enum("SOCKET_TYPES", "socket types (socktypetab.h): `socket` a1, low byte",
         x86("socket"), 1, range(256))
    enum("SOCKETCALLS", "socketcall operations (socktab.h): i386 `socketcall` a0",
         audit_syscall_number("socketcall", "i386"), 0, range(256), arch=I386)
    enum("FCNTL_COMMANDS", "fcntl commands (fcntl-cmdtab.h): `fcntl` a1", x86("fcntl"), 1, sparse)
    enum("EPOLL_CTL_OPS", "epoll_ctl operations (epoll_ctl.h): `epoll_ctl` a1",
         x86("epoll_ctl"), 1, range(256))
    enum("CAPABILITIES", "capabilities (captab.h): `prctl(PR_CAPBSET_READ)` a1",
         x86("prctl"), 1, range(256), a0=23)
    enum("SCHED_POLICIES", "scheduler policies (schedtab.h): `sched_setscheduler` a1, low nibble",
         x86("sched_setscheduler"), 1, range(16))
    enum("SEEK_WHENCE", "lseek whence (seektab.h): `lseek` a2, low byte", x86("lseek"), 2, range(256))
    enum("BPF_COMMANDS", "bpf commands (bpftab.h): `bpf` a0", x86("bpf"), 0, range(256))
    # print_ioctl_req falls back to 0x%x, not unknown-...
    enum("IOCTL_REQUESTS", "ioctl requests (ioctlreqtab.h): `ioctl` a1", x86("ioctl"), 1, sparse,
         unknown=lambda v, s: s == f"0x{v:x}")
    # [gs]etsockopt a2 by level (a1): IPPROTO_IP 0, SOL_SOCKET 1, IPPROTO_TCP 6,
    # IPPROTO_IPV6 41, SOL_PACKET 263.
    so = x86("setsockopt")
    enum("IP_OPTION_NAMES", "IPPROTO_IP option names (ipoptnametab.h): `setsockopt` a2",
         so, 2, range(1024), a1=0)
    enum("SOCKET_OPTION_NAMES", "SOL_SOCKET option names (sockoptnametab.h): `setsockopt` a2",
         so, 2, range(1024), a1=1)
    enum("TCP_OPTION_NAMES", "IPPROTO_TCP option names (tcpoptnametab.h): `setsockopt` a2",
         so, 2, range(1024), a1=6)
    enum("IP6_OPTION_NAMES", "IPPROTO_IPV6 option names (ip6optnametab.h): `setsockopt` a2",
         so, 2, range(1024), a1=41)
    enum("PACKET_OPTION_NAMES", "SOL_PACKET option names (pktoptnametab.h): `setsockopt` a2",
         so, 2, range(1024), a1=263)
    # print_sock_opt_level asks getprotobynumber first; the levels are read
    # in a user and mount namespace where /etc/protocols is empty, so the
    # table does not depend on the generating host's protocols.
    t["SOCKET_LEVELS"] = ("socket levels (sockleveltab.h; auparse asks getprotobynumber "
                          "first): `setsockopt` a1", socket_levels())
    flags("OPEN_FLAGS", "open flags (open-flagtab.h): `open` a1 (O_RDONLY printed apart)",
          x86("open"), 1, base=0, strip=("O_RDONLY",))
    # auparse 3.0.9 leaves x86_64 `clone` a0 uninterpreted; `unshare` uses
    # the same printer.
    flags("CLONE_FLAGS", "clone flags (clone-flagtab.h): `unshare` a0 (low byte: exit signal)",
          x86("unshare"), 0, bits=range(8, 32))
    flags("MMAP_FLAGS", "mmap flags (mmaptab.h): `mmap` a3 (MAP_FILE printed apart)",
          x86("mmap"), 3, base=0, strip=("MAP_FILE",))
    flags("PROT_FLAGS", "memory protection (prottab.h): `mmap` a2 (first 4 entries; `mprotect`: 3)",
          x86("mmap"), 2, base=1, strip=("PROT_READ",), bits=range(1, 32))
    t["PROT_FLAGS"] = (t["PROT_FLAGS"][0], [(1, "PROT_READ")] + t["PROT_FLAGS"][1])
    flags("MOUNT_FLAGS", "mount flags (mounttab.h): `mount` a3", x86("mount"), 3)
    flags("RECV_FLAGS", "send/recv flags (recvtab.h): `recvfrom` a3", x86("recvfrom"), 3)
    flags("UMOUNT_FLAGS", "umount2 flags (umounttab.h): `umount2` a1", x86("umount2"), 1)
    flags("ACCESS_MODES", "access modes (accesstab.h): `access` a1 (F_OK printed apart)",
          x86("access"), 1, bits=range(4))
    # shmget a2: IPC_CREAT/IPC_EXCL (ipccmdtab.h, bits 0o3000) then SHM_HUGETLB/
    # SHM_NORESERVE (shm_modetab.h, bits 0o14000), then the mode.
    shm = interpret(X86_64, x86("shmget"), 2, [1 << b for b in range(9, 14)])
    t["SHM_FLAGS"] = ("shmget flags (ipccmdtab.h, shm_modetab.h): `shmget` a2, bits 0o17000",
                      [(1 << b, s.split("|")[0]) for b, s in zip(range(9, 14), shm)
                       if not s.split("|")[0].startswith("0")])
    t["IO_URING_OPS"] = ("io_uring ops auditctl 3.1 names (lib/uringop_table.h; numbers from "
                         "linux/io_uring.h)", io_uring_ops())
    return t


def rust_str(s):
    assert re.fullmatch(r"[\x20-\x7e]*", s), s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gen_auparse(header, libauparse_version):
    s = header
    s += ("//! libauparse " + libauparse_version + " syscall-argument name tables (read back "
          "through libauparse),\n//! and io_uring op names. See gen/auparse_args.py.\n")
    for key, (doc, entries) in tables().items():
        assert entries, key
        s += f"\n/// {doc}.\npub(crate) static {key}: &[(u32, &str)] = &[\n"
        for v, n in entries:
            s += f"    ({v:#x}, {rust_str(n)}),\n"
        s += "];\n"
    return s


if __name__ == "__main__":
    import json
    import sys
    if sys.argv[1:] == ["--socket-levels"]:
        print(json.dumps(socket_levels_here()))
