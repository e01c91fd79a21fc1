#!/usr/bin/env python3
"""Measure how long Linux keeps a TIME-WAIT socket.

Run as root inside a fresh network namespace, e.g.

    unshare -n python3 experiments/linux/measure/time-wait.py --runs 40

Each of --runs connections (over loopback, started at random offsets over --spread seconds so each
meets the jiffies clock at another phase) is closed by the client first; the server then closes,
its FIN puts the client's socket in TIME-WAIT. /proc/net/tcp is polled every 5 ms for state
TIME_WAIT (06) on the client's port: the JSON printed gives, per connection, how long the socket
was seen in TIME-WAIT (first to last sighting, so up to 5 ms short).
"""
import argparse, json, platform, random, socket, subprocess, threading, time

from netns import hz


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--spread', type=float, default=4.0)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    lst = socket.socket()
    lst.bind(('127.0.0.1', 80))
    lst.listen(128)
    rng = random.Random(a.seed)
    offsets = sorted(rng.random() * a.spread for _ in range(a.runs))
    first, last = {}, {}
    polled = [0.0]  # when the latest complete pass over /proc/net/tcp began
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            t = time.monotonic()
            with open('/proc/net/tcp') as f:
                next(f)
                for line in f:
                    p = line.split()
                    if p[3] == '06':
                        port = int(p[1].split(':')[1], 16)
                        first.setdefault(port, t)
                        last[port] = t
            polled[0] = t
            time.sleep(0.005)

    th = threading.Thread(target=poll)
    th.start()
    base = time.monotonic() + 0.5
    ports = []
    for off in offsets:
        time.sleep(max(0.0, base + off - time.monotonic()))
        c = socket.socket()
        c.connect(('127.0.0.1', 80))
        s, _ = lst.accept()
        ports.append(c.getsockname()[1])
        c.close()
        s.recv(1)
        s.close()
    # A socket has gone once a whole later pass no longer saw it (a stalled poller delays this, never fakes it).
    while any(p not in last or polled[0] <= last[p] for p in ports):
        time.sleep(0.1)
    stop.set()
    th.join()
    print(json.dumps({'kernel': platform.release(), 'hz': hz(),
                      'runs': [{'timeWait': round(last[p] - first[p], 4)} for p in ports]}, indent=1))


if __name__ == '__main__':
    main()
