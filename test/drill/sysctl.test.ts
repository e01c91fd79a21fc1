import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSourced } from '../../src/drill/drill.ts';
import { describe, expect, it } from 'vitest';
import { commandLines, evalArithmetic, shellWords } from '../../src/drill/shell.ts';
import { flushesMetrics, qdiscDropsAll, sysctlsFromCommands } from '../../src/drill/sysctl.ts';
import { runScriptSource } from '../../src/drill/drill.ts';
import { HostStack } from '../../src/stack/host-stack.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { corpusDir as corpus, corpusSkipped, corpusTitle, requireCorpus } from './corpus-location.ts';

describe('shell words', () => {
  it('expands arithmetic, keeps quoted spaces and drops redirections', () => {
    expect(evalArithmetic('15*1024*1024')).toBe(15728640);
    expect(evalArithmetic('(2+3)*4')).toBe(20);
    expect(evalArithmetic('1+x')).toBeNull();
    expect(shellWords('sysctl -q net.ipv4.tcp_rmem="4096 540000 $((15*1024*1024))"')).toEqual([
      'sysctl',
      '-q',
      'net.ipv4.tcp_rmem=4096 540000 15728640',
    ]);
    expect(shellWords('sysctl -q net.ipv4.tcp_notsent_lowat=4294967295 > /dev/null 2>&1')).toEqual([
      'sysctl',
      '-q',
      'net.ipv4.tcp_notsent_lowat=4294967295',
    ]);
  });

  it('splits lines on newlines, ; and &&, and drops comments', () => {
    expect(commandLines('#!/bin/bash\n# c\na=1; b && c\n\n  d # e\n')).toEqual(['a=1', 'b', 'c', 'd']);
  });

  it('joins a line ending in a backslash with the next (slow-start-after-idle.pkt sets two sysctls so)', () => {
    expect(commandLines('set_sysctls.py /proc/sys/a=1 \\\n\t\t /proc/sys/b=2\nc')).toEqual([
      'set_sysctls.py /proc/sys/a=1  \t\t /proc/sys/b=2',
      'c',
    ]);
  });
});

describe('sysctl mapping', () => {
  const noFiles = (): string | null => null;

  it('maps the knobs the engine models and lists the rest as ignored', () => {
    const r = sysctlsFromCommands(
      `sysctl -q net.ipv4.tcp_syn_retries=2
sysctl -q net.ipv4.tcp_syn_linear_timeouts=0 net.ipv4.tcp_synack_retries=3
sysctl -q net.ipv4.tcp_fin_timeout=30
sysctl -q net.ipv4.tcp_syncookies=2
sysctl -q net.ipv4.tcp_timestamps=0
sysctl -q net.ipv4.tcp_early_retrans=0
sysctl -q net.ipv4.tcp_min_rtt_wlen=300
tc qdisc add dev tun0 root pfifo`,
      noFiles,
    );
    expect(r.params).toEqual({
      synRetries: 2,
      synLinearTimeouts: 0,
      synAckRetries: 3,
      finWait2Timeout: 30 * SEC,
      synCookies: 'always',
      timestamps: false,
      tailLossProbe: false,
    });
    expect(r.ignored).toEqual(['net.ipv4.tcp_min_rtt_wlen=300', 'tc qdisc add dev tun0 root pfifo']);
    expect(r.errors).toEqual([]);
  });

  it('reports values it cannot use', () => {
    const r = sysctlsFromCommands('sysctl -q net.ipv4.tcp_syncookies=7', noFiles);
    expect(r.errors).toEqual(['net.ipv4.tcp_syncookies: cannot use value "7"']);
  });

  it.skipIf(corpusSkipped)(
    corpusTitle('follows sourced defaults.sh and set_sysctls.py as the corpus uses them'),
    () => {
      requireCorpus();
      const dir = path.join(corpus, 'linux-gtests/blocking');
      const read = (p: string): string | null => {
        try {
          return readFileSync(path.resolve(dir, p), 'utf8');
        } catch {
          return null;
        }
      };
      const r = sysctlsFromCommands(
        '../common/defaults.sh\n ../common/set_sysctls.py /proc/sys/net/ipv4/tcp_min_tso_segs=10\n',
        read,
      );
      expect(r.params).toEqual({
        rcvBuf: 540000,
        rcvBufMax: 15728640,
        sndBuf: 262144,
        sndBufMax: 4194304,
        congestion: 'cubic',
        timestamps: true,
        synRetries: 5,
        synAckRetries: 5,
        sack: true,
        tailLossProbe: true,
        synCookies: true,
        ecn: 0,
        notsentLowat: 4294967295,
        tsoWinDivisor: 3,
        minTsoSegs: 10,
        slowStartAfterIdle: false,
        pacingSsRatio: 200,
        pacingCaRatio: 120,
        frto: 2,
        fastOpen: 0x70403,
        fastOpenKey: 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4',
      });
      expect(r.applied).toContain('net.ipv4.tcp_frto=2 -> frto');
      expect(r.applied).toContain('net.ipv4.tcp_fastopen=0x70403 -> fastOpen');
      expect(r.errors).toEqual([]);
      expect(sysctlsFromCommands('./missing.sh', read).errors).toEqual(['./missing.sh: cannot read']);
    },
  );
});

describe('shell line continuations', () => {
  it('a backslash at the end of a line continues the sysctl command (the upstream Fast Open scripts)', () => {
    const r = sysctlsFromCommands(
      'sysctl -q \\\n  net.ipv4.tcp_fastopen=0x30403 \\\n  net.ipv4.tcp_fastopen_key=a0bf63f7-ed803d81-cd641d30-cebc4a90\n',
      () => null,
    );
    expect(r.params).toEqual({ fastOpen: 0x30403, fastOpenKey: 'a0bf63f7-ed803d81-cd641d30-cebc4a90' });
    expect(sysctlsFromCommands('sysctl -q net.ipv4.tcp_fastopen_key=zz', () => null).errors).toEqual([
      'net.ipv4.tcp_fastopen_key: cannot use value "zz"',
    ]);
  });
});

describe('finding common/defaults.sh', () => {
  it('resolves the relative path, else the nearest ancestor folder holding common/defaults.sh', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'drill-defaults-'));
    mkdirSync(path.join(root, 'gtests/common'), { recursive: true });
    mkdirSync(path.join(root, 'gtests/fastopen/client'), { recursive: true });
    writeFileSync(path.join(root, 'gtests/common/defaults.sh'), 'sysctl -q net.ipv4.tcp_sack=1\n');
    // google/packetdrill writes ../../../common/defaults.sh from fastopen/client (a symlinked layout).
    expect(readSourced(path.join(root, 'gtests/fastopen/client'), '../../../common/defaults.sh')).toBe(
      'sysctl -q net.ipv4.tcp_sack=1\n',
    );
    expect(readSourced(path.join(root, 'gtests/fastopen/client'), '../common/missing.sh')).toBeNull();
    rmSync(root, { recursive: true, force: true });
  });
});

describe('request limits and ip tcp_metrics', () => {
  const noFiles = (): string | null => null;

  it('maps tcp_max_syn_backlog, tcp_invalid_ratelimit (ms) and tcp_nometrics_save', () => {
    const r = sysctlsFromCommands(
      'sysctl -q net.ipv4.tcp_max_syn_backlog=256 net.ipv4.tcp_invalid_ratelimit=100 net.ipv4.tcp_nometrics_save=1',
      noFiles,
    );
    expect(r.params).toEqual({ maxSynBacklog: 256, invalidRateLimit: 100 * MS, metricsSave: false });
    expect(sysctlsFromCommands('sysctl -q net.ipv4.tcp_max_syn_backlog=0', noFiles).errors).toEqual([
      'net.ipv4.tcp_max_syn_backlog: cannot use value "0"',
    ]);
  });

  it('ip tcp_metrics flush is applied (not ignored), with or without "all" and redirections', () => {
    const r = sysctlsFromCommands('ip tcp_metrics flush all > /dev/null 2>&1', noFiles);
    expect(r.applied).toEqual(['ip tcp_metrics flush all > /dev/null 2>&1 -> destination metrics flushed']);
    expect(r.ignored).toEqual([]);
    expect(flushesMetrics('ip tcp_metrics flush')).toBe(true);
    expect(flushesMetrics('/sbin/ip tcpm flush all; sysctl -q net.ipv4.tcp_sack=1')).toBe(true);
    expect(flushesMetrics('ip tcp_metrics show')).toBe(false);
  });

  it("a timed `ip tcp_metrics flush` in a script empties the host stack's metrics at that time", () => {
    const flushedAt: number[] = [];
    let stack: HostStack | null = null;
    const result = runScriptSource(
      `0 \`ip tcp_metrics flush all\`
+1 \`ip tcp_metrics flush\`
`,
      '/nonexistent/x.pkt',
      {
        stackFactory: (port, params) => {
          const s = new HostStack(port, params, 1);
          s.metrics.getOrCreate(s.address, 0xc0000201, 0).rtt = 50 * MS;
          const flush = s.flushMetrics.bind(s);
          s.flushMetrics = () => {
            flushedAt.push(port.sim.now);
            flush();
          };
          stack = s;
          return s;
        },
      },
    );
    expect(result).toEqual({ verdict: 'PASS', reason: '' });
    expect(flushedAt).toEqual([0, 1 * SEC]);
    expect(stack!.metrics.size).toBe(0);
  });
});

describe('tc qdisc commands (a local queue that drops everything)', () => {
  it('pfifo limit 0 drops all, delete restores, other commands say nothing', () => {
    expect(qdiscDropsAll('tc qdisc delete dev tun0 root 2>/dev/null ; tc qdisc add dev tun0 root pfifo limit 0')).toBe(
      true,
    );
    expect(qdiscDropsAll('tc qdisc add dev tun0 root pfifo limit 100')).toBe(false);
    expect(qdiscDropsAll('tc qdisc del dev tun0 root')).toBe(false);
    expect(qdiscDropsAll('sysctl -q net.ipv4.tcp_sack=1')).toBe(null);
  });
});

describe('the fq qdisc', () => {
  it("`tc qdisc replace dev tun0 root fq` turns pacing on (fq's departure times); other qdiscs do not", () => {
    const r = sysctlsFromCommands(
      'tc qdisc replace dev tun0 root fq\nsysctl -q net.ipv4.tcp_pacing_ss_ratio=150',
      () => null,
    );
    expect(r.params).toEqual({ pacing: 'fq', pacingSsRatio: 150 });
    expect(sysctlsFromCommands('tc qdisc add dev tun0 root pfifo limit 10', () => null).params).toEqual({});
    expect(sysctlsFromCommands('sysctl -q net.ipv4.tcp_pacing_ca_ratio=2000', () => null).errors).toEqual([
      'net.ipv4.tcp_pacing_ca_ratio: cannot use value "2000"',
    ]);
  });
});
