#!/usr/bin/env python3
# weak_verneed.py: marks one symbol-version requirement of an ELF shared library weak, in a copy of it.
# usage: weak_verneed.py IN.so OUT.so VERSION        e.g. weak_verneed.py libLibTorchSharp.so patched.so GLIBCXX_3.4.32
#
# A library built with GCC 13 that includes <iostream> requires GLIBCXX_3.4.32 for one symbol,
# std::ios_base_library_init(), which it names (an undefined .globl with no relocation against it) only to pull in
# a libstdc++ new enough to construct std::cout itself. Debian 12's libstdc++ (GCC 12) has versions up to 3.4.30,
# so the dynamic loader refuses the whole library: "version `GLIBCXX_3.4.32' not found".
# The requirement sits in .gnu.version_r as one Vernaux entry {hash, flags, other, name, next}. Setting its flags to
# VER_FLG_WEAK (2) makes glibc's loader skip a missing version silently instead of failing (dl-version.c: "If it was a
# weak reference it is not fatal"). Nothing else changes: one byte of OUT differs from IN. The program then runs on
# Debian 12's older libstdc++ — an unsupported combination, kept to measure, not to ship.
import struct, sys

src, dst, want = sys.argv[1], sys.argv[2], sys.argv[3].encode()
data = bytearray(open(src, "rb").read())
if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
    sys.exit(f"{src}: not a little-endian 64-bit ELF file")
e_shoff, = struct.unpack_from("<Q", data, 0x28)
e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
SHT_GNU_verneed = 0x6FFFFFFE
verneed = [s for s in sections if s[1] == SHT_GNU_verneed]
if not verneed:
    sys.exit(f"{src}: no .gnu.version_r section")
_, _, _, _, off, _, link, count, _, _ = verneed[0]   # count: sh_info, the number of Verneed entries
strtab = sections[link][4]                         # file offset of the linked string table (.dynstr)

def name_at(o):
    end = data.index(b"\0", strtab + o)
    return bytes(data[strtab + o:end])

found = 0
vn = off
for _ in range(count):
    _, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, vn)
    aux = vn + vn_aux
    for _ in range(vn_cnt):
        _, flags, other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
        if name_at(vna_name) == want:
            struct.pack_into("<H", data, aux + 4, flags | 0x2)   # VER_FLG_WEAK
            print(f"{want.decode()} (required from {name_at(vn_file).decode()}, version index {other}): flags {flags:#x} -> {flags | 2:#x}")
            found += 1
        aux += vna_next
    vn += vn_next
if not found:
    sys.exit(f"{src}: requires no {want.decode()}")
open(dst, "wb").write(data)
