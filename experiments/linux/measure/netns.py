"""What the measurement scripts here share: the kernel's HZ and the veth pair they measure across.

Each script runs as root inside a fresh network namespace (`unshare -n`), so the interfaces and
sysctls it sets die with it.
"""
import gzip
import subprocess


def hz():
    """CONFIG_HZ from /proc/config.gz, or None when the kernel does not expose its config."""
    try:
        with gzip.open('/proc/config.gz', 'rt') as f:
            for line in f:
                if line.startswith('CONFIG_HZ='):
                    return int(line.split('=')[1])
    except OSError:
        return None


def veth_to_silent_peer():
    """lo up; v0 (10.1.1.1/24) paired with v1; 10.1.1.2 a permanent neighbour entry, so frames for it
    leave through v1 with no ARP and go nowhere (v1 has no address). Returns v0's MAC address."""
    sh = lambda *cmd: subprocess.run(cmd, check=True)
    sh('ip', 'link', 'set', 'lo', 'up')
    sh('ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1')
    sh('ip', 'addr', 'add', '10.1.1.1/24', 'dev', 'v0')
    sh('ip', 'link', 'set', 'v0', 'up')
    sh('ip', 'link', 'set', 'v1', 'up')
    sh('ip', 'neigh', 'add', '10.1.1.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'v0', 'nud', 'permanent')
    link = subprocess.run(['ip', '-o', 'link', 'show', 'v0'], check=True, capture_output=True, text=True).stdout
    return bytes.fromhex(link.split('link/ether ')[1].split()[0].replace(':', ''))
