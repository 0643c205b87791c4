#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the insn_count plugin's per-block counts into instructions per round,
by function and by kind of work (make profile).

    insn-profile.py ROUNDS COUNTS KALLSYMS MODSYMS BINARY OUT
"""
import bisect
import collections
import re
import subprocess
import sys

KINDS = [
    ("user space", lambda n: n.startswith("user:")),
    ("fastipc module", lambda n: n.endswith("[fastipc]")),
    ("usercopy object checks", lambda n: n in (
        "__check_object_size", "check_stack_object", "__check_heap_object",
        "__virt_addr_valid", "is_vmalloc_addr")),
    ("copies to and from user", lambda n: re.match(
        r"(rep_movs_alternative|_copy_(to|from)_(iter|user)|__(get|put)_user_\d"
        r"|copy_page_(to|from)_iter|memcpy|memset\w*)$", n)),
    ("security modules", lambda n: re.match(
        r"(security_|tomoyo_|hook_file|bpf_lsm|apparmor_|aa_|ipe_|landlock"
        r"|rw_verify_area)", n)),
    ("pipe, futex and VFS", lambda n: re.match(
        r"(pipe_|vfs_(read|write)|ksys_(read|write)|fdget_pos|__x64_sys_(read|write|futex)"
        r"|anon_pipe|touch_atime|atime_needs|inode_needs|current_time|ktime_get_coarse"
        r"|timestamp_truncate|mutex_(un)?lock|fsnotify|__fsnotify|file_update_time"
        r"|prepare_to_wait_event|(do_)?futex|get_futex_key|futex_|__futex|hash_futex)", n)),
    ("system call entry and exit", lambda n: re.match(
        r"(entry_SYSCALL|do_syscall_64|x64_sys_call|__x64_sys_ioctl|syscall_|fdget|fput"
        r"|do_vfs_ioctl|vfs_ioctl|__rseq|\w*exit_to_user_mode|fpregs|switch_fpu"
        r"|restore_fpregs|mem_cgroup_handle_over_high|blkcg_maybe|native_load_gs_index"
        r"|__cond_resched)", n)),
    ("scheduler, wake-ups, locks, other", lambda n: True),
]


def kind(name):
    return next(k for k, match in KINDS if match(name))


def main():
    rounds, counts, kallsyms, modsyms, binary, out = sys.argv[1:7]
    rounds = int(rounds)
    syms = []
    for path in (kallsyms, modsyms):
        for line in open(path, errors="replace"):
            f = line.split()
            if len(f) >= 3 and f[1] in "tTwW" and re.fullmatch(r"[0-9a-f]{16}", f[0]):
                syms.append((int(f[0], 16), f[2] + (f[3] if len(f) > 3 else "")))
    nm = subprocess.run(["nm", binary], capture_output=True, text=True, check=True)
    for line in nm.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), "user:" + f[2]))
    syms.sort()
    addrs = [a for a, _ in syms]

    insns = collections.Counter()
    calls = collections.Counter()
    for line in open(counts):
        if line.startswith("#"):
            continue
        vaddr, n, execs = line.split()
        vaddr, n, execs = int(vaddr, 16), int(n), int(execs)
        i = bisect.bisect_right(addrs, vaddr) - 1
        name = syms[i][1] if i >= 0 else hex(vaddr)
        if vaddr < 1 << 47 and not name.startswith("user:"):
            name = "user:?"
        insns[name] += n * execs
        if i >= 0 and syms[i][0] == vaddr:
            calls[name] += execs

    total = sum(insns.values())
    by_kind = collections.Counter()
    for name, n in insns.items():
        by_kind[kind(name)] += n
    with open(out, "w") as f:
        f.write(f"instructions per round: {total / rounds:.0f}\n\n")
        for k, _ in KINDS:
            f.write(f"{by_kind[k] / rounds:8.0f}  {k}\n")
        f.write("\ninstructions  calls  function (per round)\n")
        for name, n in insns.most_common():
            if n / rounds >= 1:
                f.write(f"{n / rounds:8.0f} {calls[name] / rounds:6.1f}  {name}\n")
    print(f"{total / rounds:.0f}", " ".join(f"{by_kind[k] / rounds:.0f}" for k, _ in KINDS))


main()
