#!/usr/bin/env python3
"""Measure Linux's SYN-ACK retransmissions and the request's end when the handshake never completes.

Run as root inside a fresh network namespace, e.g.

    unshare -n python3 experiments/linux/measure/synack-lost.py --runs 40

It builds a veth pair (a listener on 10.1.1.1:80 behind v0; the peer 10.1.1.2 is a permanent
neighbour entry whose frames leave through v1 and go nowhere), writes --runs SYNs from 10.1.1.2 onto
v1 with an AF_PACKET socket at random offsets over --spread seconds (each meets the jiffies clock
at another phase), never answers the SYN-ACKs, times every SYN and SYN-ACK on v1 with the kernel's
receive timestamps, and polls /proc/net/tcp every 5 ms for the request (state SYN_RECV) to see when
it is gone (so that end is up to 5 ms late, more on a loaded machine). Prints one JSON object: the
kernel, HZ, tcp_synack_retries, and per SYN the SYN-ACK times and when the request went, in seconds
from the SYN.
"""
import argparse, json, platform, random, socket, struct, threading, time

from netns import hz, veth_to_silent_peer

SO_TIMESTAMPNS = 35


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def syn_frame(src_mac, dst_mac, sport, seq):
    src, dst = socket.inet_aton('10.1.1.2'), socket.inet_aton('10.1.1.1')
    opts = struct.pack('!BBH', 2, 4, 1460)  # MSS 1460
    tcp = struct.pack('!HHIIBBHHH', sport, 80, seq, 0, (5 + len(opts) // 4) << 4, 0x02, 64240, 0, 0) + opts
    tcp = tcp[:16] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return dst_mac + src_mac + b'\x08\x00' + ip + tcp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--spread', type=float, default=4.0)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    v0_mac = veth_to_silent_peer()
    peer_mac = bytes.fromhex('020000000002')
    lst = socket.socket()
    lst.bind(('10.1.1.1', 80))
    lst.listen(128)
    retries = int(open('/proc/sys/net/ipv4/tcp_synack_retries').read())

    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    cap.bind(('v1', 0))
    cap.settimeout(0.2)
    cap.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    synacks, syn_at, gone, stop = {}, {}, {}, threading.Event()

    def sniff():
        # Kernel receive timestamps (SO_TIMESTAMPNS, wall clock) for both the SYNs written onto v1
        # and the SYN-ACKs coming back, so a busy machine's scheduling delays do not enter.
        while not stop.is_set():
            try:
                f, anc, _, _ = cap.recvmsg(2048, 256)
            except socket.timeout:
                continue
            t = next((sec + nsec / 1e9 for lvl, typ, data in anc if typ == SO_TIMESTAMPNS
                      for sec, nsec in [struct.unpack('qq', data[:16])]), time.time())
            if len(f) >= 54 and f[12:14] == b'\x08\x00' and f[23] == 6:
                tcp = 14 + (f[14] & 15) * 4
                flags = f[tcp + 13] & 0x3f
                if flags == 0x12 and f[26:30] == socket.inet_aton('10.1.1.1'):
                    synacks.setdefault(int.from_bytes(f[tcp + 2:tcp + 4], 'big'), []).append(t)
                elif flags == 0x02 and f[26:30] == socket.inet_aton('10.1.1.2'):
                    syn_at.setdefault(int.from_bytes(f[tcp:tcp + 2], 'big'), t)

    def in_syn_recv():
        ports = set()
        with open('/proc/net/tcp') as f:
            next(f)
            for line in f:
                p = line.split()
                if p[3] == '03' and p[1].endswith(':0050'):
                    ports.add(int(p[2].split(':')[1], 16))
        return ports

    rng = random.Random(a.seed)
    offsets = sorted(rng.random() * a.spread for _ in range(a.runs))
    ports = [20000 + i for i in range(a.runs)]
    sent = {}
    th = threading.Thread(target=sniff)
    th.start()
    inj = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    inj.bind(('v1', 0))
    base = time.monotonic() + 0.5
    pending = list(zip(offsets, ports))
    seen = set()
    while pending or len(gone) < a.runs:
        now = time.monotonic()
        while pending and base + pending[0][0] <= now:
            _, port = pending.pop(0)
            sent[port] = True
            inj.send(syn_frame(peer_mac, v0_mac, port, rng.getrandbits(32)))
        live = in_syn_recv()
        t = time.time()
        seen |= live
        for port in list(sent):
            if port in seen and port not in live and port not in gone:
                gone[port] = t
        if time.monotonic() - base > 200:  # a request that never shows up or never goes
            break
        time.sleep(0.005)
    stop.set()
    th.join()
    runs = [{'synAcks': [round(x - syn_at[p], 4) for x in synacks.get(p, [])], 'goneAt': round(gone[p] - syn_at[p], 4) if p in gone else None}
            for p in ports]
    print(json.dumps({'kernel': platform.release(), 'hz': hz(), 'tcp_synack_retries': retries, 'runs': runs}, indent=1))


if __name__ == '__main__':
    main()
