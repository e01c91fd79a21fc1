#!/usr/bin/env python3
"""Measure Linux's SYN give-up: connect() to a host that never answers, on the real kernel.

Run as root inside a fresh network namespace, e.g.

    unshare -n python3 experiments/linux/measure/silent-connect.py --runs 40 --linear 0

It builds a veth pair (10.1.1.1 on v0, a permanent neighbour entry for the silent 10.1.1.2 so no
ARP is needed, v1 up with no address so every frame is dropped there), sets the sysctls given,
starts --runs connect() calls from threads at random offsets over --spread seconds (so each meets
the jiffies clock at another phase), watches v1 with an AF_PACKET socket to time every SYN, and
prints one JSON object: the kernel, HZ if /proc/config.gz tells it, the settings, and per
connect() the SYN send times and the time connect() failed (seconds from the call) with its errno.
docs/linux-fidelity.md reads the files this wrote under experiments/linux/measured/.
"""
import argparse, json, os, platform, random, socket, subprocess, threading, time

from netns import hz, veth_to_silent_peer

TCP_SYNCNT, TCP_USER_TIMEOUT = 7, 18


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--spread', type=float, default=4.0, help='start offsets drawn over this many seconds')
    ap.add_argument('--linear', type=int, help='net.ipv4.tcp_syn_linear_timeouts')
    ap.add_argument('--retries', type=int, help='net.ipv4.tcp_syn_retries')
    ap.add_argument('--syncnt', type=int, help='TCP_SYNCNT socket option')
    ap.add_argument('--user-timeout', type=int, help='TCP_USER_TIMEOUT socket option, ms')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    sh = lambda *cmd: subprocess.run(cmd, check=True)
    veth_to_silent_peer()
    if a.linear is not None:
        sh('sysctl', '-qw', f'net.ipv4.tcp_syn_linear_timeouts={a.linear}')
    if a.retries is not None:
        sh('sysctl', '-qw', f'net.ipv4.tcp_syn_retries={a.retries}')
    settings = {k: open(f'/proc/sys/net/ipv4/{k}').read().strip() for k in ('tcp_syn_retries', 'tcp_syn_linear_timeouts')}

    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    cap.bind(('v1', 0))
    cap.settimeout(0.2)
    syns, stop = {}, threading.Event()

    def sniff():
        while not stop.is_set():
            try:
                f = cap.recv(2048)
            except socket.timeout:
                continue
            t = time.monotonic()
            if len(f) >= 54 and f[12:14] == b'\x08\x00' and f[23] == 6:
                ihl = (f[14] & 15) * 4
                tcp = 14 + ihl
                if f[tcp + 13] & 0x02:
                    syns.setdefault(int.from_bytes(f[tcp:tcp + 2], 'big'), []).append(t)

    rng = random.Random(a.seed)
    offsets = sorted(rng.random() * a.spread for _ in range(a.runs))
    results = [None] * a.runs
    t_base = time.monotonic() + 0.5

    def one(i):
        time.sleep(max(0.0, t_base + offsets[i] - time.monotonic()))
        s = socket.socket()
        if a.syncnt is not None:
            s.setsockopt(socket.IPPROTO_TCP, TCP_SYNCNT, a.syncnt)
        if a.user_timeout is not None:
            s.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, a.user_timeout)
        s.bind(('10.1.1.1', 0))
        port = s.getsockname()[1]
        t0 = time.monotonic()
        try:
            s.connect(('10.1.1.2', 80))
            err = 'connected'
        except OSError as e:
            err = os.strerror(e.errno)
        results[i] = (port, t0, time.monotonic() - t0, err)

    th = threading.Thread(target=sniff)
    th.start()
    workers = [threading.Thread(target=one, args=(i,)) for i in range(a.runs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    th.join()
    runs = [{'syns': [round(t - t0, 4) for t in syns.get(port, [])], 'failedAt': round(d, 4), 'error': err}
            for port, t0, d, err in results]
    print(json.dumps({'kernel': platform.release(), 'hz': hz(), 'sysctl': settings, 'syncnt': a.syncnt,
                      'userTimeoutMs': a.user_timeout, 'runs': runs}, indent=1))


if __name__ == '__main__':
    main()
