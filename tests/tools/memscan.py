#!/usr/bin/env python3
"""memscan.py PID NEEDLE [all]: how often NEEDLE occurs in the memory of
process PID, read through /proc/PID/mem: its writable mappings (heap,
stack, data, anonymous memory), or with "all" every readable mapping.
Prints the count, the number of bytes read and of mappings skipped as
too large (sanitizer shadow); exit 2 when nothing could be read at all (so a count of 0 always means memory was really searched).
Needs ptrace access to PID (root)."""
import sys

pid, needle = int(sys.argv[1]), sys.argv[2].encode()
every = len(sys.argv) > 3 and sys.argv[3] == "all"
count = nread = 0
CHUNK = 1 << 20
# An ASan build reserves terabytes of shadow memory (mappings of which
# only touched pages exist); no program string lives there. Anything
# larger than this is skipped and counted.
HUGE = 1 << 32
skipped = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        f = line.split()
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        perms = f[1]
        if perms[0] != "r" or (not every and perms[1] != "w"):
            continue
        if len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]"):
            continue
        if hi - lo > HUGE:
            skipped += 1
            continue
        tail = b""
        for at in range(lo, hi, CHUNK):
            try:
                mem.seek(at)
                data = mem.read(min(CHUNK, hi - at))
            except OSError:
                tail = b""
                continue
            nread += len(data)
            # the tail of the previous chunk: a needle across the border
            count += (tail + data).count(needle)
            tail = data[-(len(needle) - 1):] if len(needle) > 1 else b""
print(count, nread, skipped)
sys.exit(0 if nread > 0 else 2)
