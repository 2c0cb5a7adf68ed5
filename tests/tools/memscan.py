#!/usr/bin/env python3
"""memscan.py PID NEEDLE [all]: how often NEEDLE occurs in the memory of
process PID, read through /proc/PID/mem: its writable mappings (heap,
stack, data, anonymous memory), or with "all" every readable mapping.
Prints the count and the number of bytes read; exit 2 when nothing could
be read at all (so a count of 0 always means memory was really searched).
Needs ptrace access to PID (root)."""
import sys

pid, needle = int(sys.argv[1]), sys.argv[2].encode()
every = len(sys.argv) > 3 and sys.argv[3] == "all"
count = nread = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        f = line.split()
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        perms = f[1]
        if perms[0] != "r" or (not every and perms[1] != "w"):
            continue
        if len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]"):
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except OSError:
            continue
        nread += len(data)
        # a needle split across two mappings is not a concern: we search
        # for a secret the program keeps as one string
        count += data.count(needle)
print(count, nread)
sys.exit(0 if nread > 0 else 2)
