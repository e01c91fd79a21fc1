/**
 * Linux knobs set by a script's shell commands, mapped to engine parameters (src/tcp/params.ts).
 * Scripts run `sysctl -q net.ipv4.tcp_*=V` in backquotes, source `defaults.sh` files that do the
 * same, or call `set_sysctls.py /proc/sys/net/ipv4/tcp_*=V`. Each setting tcplab models becomes a
 * parameter override, and `ip tcp_metrics flush` empties the host's destination metrics; every
 * other setting (fastopen keys, qdiscs, congestion control tuning) is recorded as ignored, so a report can say what was not applied.
 */
import { MS, SEC } from '../sim/time.ts';
import type { SynCookieMode, TcpParams } from '../tcp/params.ts';
import { commandLines, shellWords } from './shell.ts';

export interface SysctlResult {
  params: Partial<TcpParams>;
  /** "net.ipv4.tcp_syn_retries=2 -> synRetries" */
  applied: string[];
  /** Settings and commands that have no engine counterpart. */
  ignored: string[];
  /** Problems: a sourced file that cannot be read, a value that does not parse. */
  errors: string[];
}

import { parseFastOpenKeys } from '../tcp/fastopen-cookie.ts';

type Setter = (value: string, into: Partial<TcpParams>) => string | null;

function int(value: string): number | null {
  const v = Number(value.trim());
  return Number.isSafeInteger(v) ? v : null;
}

function ints(value: string): number[] | null {
  const parts = value.trim().split(/\s+/).map(Number);
  return parts.every((v) => Number.isSafeInteger(v)) ? parts : null;
}

function setInt(
  field:
    | 'synRetries'
    | 'synAckRetries'
    | 'synLinearTimeouts'
    | 'keepaliveProbes'
    | 'dataRetries'
    | 'maxTimeWait'
    | 'somaxconn'
    | 'maxSynBacklog',
  min = 0,
): Setter {
  return (value, into) => {
    const v = int(value);
    if (v === null || v < min) return null;
    into[field] = v;
    return field;
  };
}

function setSeconds(field: 'finWait2Timeout' | 'keepaliveIdle' | 'keepaliveInterval'): Setter {
  return (value, into) => {
    const v = int(value);
    if (v === null || v < 0) return null;
    into[field] = v * SEC;
    return field;
  };
}

function setBool(
  field:
    | 'timestamps'
    | 'sack'
    | 'windowScaling'
    | 'abortOnOverflow'
    | 'rfc1337'
    | 'moderateRcvbuf'
    | 'slowStartAfterIdle',
): Setter {
  return (value, into) => {
    const v = int(value);
    if (v === null) return null;
    into[field] = v !== 0;
    return field;
  };
}

/**
 * net.ipv4.* / net.core.* keys tcplab maps. tcp_rmem/tcp_wmem are "min default max": a buffer
 * starts at [1] and autotuning may grow it to [2] (src/tcp/buffers.ts); the window-scale shift is
 * picked for tcp_rmem[2] (the corpus's 15 MiB gives wscale 8). [0] only matters under memory
 * pressure, which tcplab does not model.
 */
const SETTERS: Record<string, Setter> = {
  // net.ipv4.tcp_fastopen takes hex (0x70403): Number() reads it
  'net.ipv4.tcp_fastopen': (value, into) => {
    const v = int(value);
    if (v === null || v < 0) return null;
    into.fastOpen = v;
    return 'fastOpen';
  },
  'net.ipv4.tcp_fastopen_key': (value, into) => {
    if (parseFastOpenKeys(value) === null) return null;
    into.fastOpenKey = value.trim();
    return 'fastOpenKey';
  },
  'net.ipv4.tcp_fastopen_blackhole_timeout_sec': (value, into) => {
    const v = int(value);
    if (v === null || v < 0) return null;
    into.fastOpenBlackholeTimeout = v * SEC;
    return 'fastOpenBlackholeTimeout';
  },
  'net.ipv4.tcp_syn_retries': setInt('synRetries', 1),
  'net.ipv4.tcp_synack_retries': setInt('synAckRetries'),
  'net.ipv4.tcp_syn_linear_timeouts': setInt('synLinearTimeouts'),
  'net.ipv4.tcp_retries2': setInt('dataRetries'),
  'net.ipv4.tcp_max_tw_buckets': setInt('maxTimeWait'),
  'net.core.somaxconn': setInt('somaxconn'),
  'net.ipv4.tcp_fin_timeout': setSeconds('finWait2Timeout'),
  'net.ipv4.tcp_keepalive_time': setSeconds('keepaliveIdle'),
  'net.ipv4.tcp_keepalive_intvl': setSeconds('keepaliveInterval'),
  'net.ipv4.tcp_keepalive_probes': setInt('keepaliveProbes', 1),
  'net.ipv4.tcp_timestamps': setBool('timestamps'),
  'net.ipv4.tcp_sack': setBool('sack'),
  'net.ipv4.tcp_window_scaling': setBool('windowScaling'),
  'net.ipv4.tcp_abort_on_overflow': setBool('abortOnOverflow'),
  'net.ipv4.tcp_rfc1337': setBool('rfc1337'),
  'net.ipv4.tcp_moderate_rcvbuf': setBool('moderateRcvbuf'),
  'net.ipv4.tcp_slow_start_after_idle': setBool('slowStartAfterIdle'),
  // tcplab's 0 means "no reserve"; Linux's 0 would reserve the whole queue, so it is refused
  'net.ipv4.tcp_max_syn_backlog': setInt('maxSynBacklog', 1),
  'net.ipv4.tcp_invalid_ratelimit': (value, into) => {
    const v = int(value);
    if (v === null || v < 0) return null;
    into.invalidRateLimit = v * MS; // milliseconds
    return 'invalidRateLimit';
  },
  'net.ipv4.tcp_nometrics_save': (value, into) => {
    const v = int(value);
    if (v === null) return null;
    into.metricsSave = v === 0;
    return 'metricsSave';
  },
  'net.ipv4.tcp_syncookies': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 2) return null;
    const mode: SynCookieMode = v === 0 ? false : v === 1 ? true : 'always';
    into.synCookies = mode;
    return 'synCookies';
  },
  // Linux 4.18+: 0 disables the tail loss probe, 3 and 4 enable it (1 and 2 were early retransmit alone).
  'net.ipv4.tcp_early_retrans': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 4) return null;
    into.tailLossProbe = v >= 3;
    return 'tailLossProbe';
  },
  'net.ipv4.tcp_frto': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 2) return null;
    into.frto = v;
    return 'frto';
  },
  'net.ipv4.tcp_ecn': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 2) return null;
    into.ecn = v;
    return 'ecn';
  },
  'net.ipv4.tcp_notsent_lowat': (value, into) => {
    const v = int(value);
    if (v === null || v < 0) return null;
    into.notsentLowat = v;
    return 'notsentLowat';
  },
  'net.ipv4.tcp_tso_win_divisor': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 255) return null;
    into.tsoWinDivisor = v;
    return 'tsoWinDivisor';
  },
  'net.ipv4.tcp_pacing_ss_ratio': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 1000) return null;
    into.pacingSsRatio = v;
    return 'pacingSsRatio';
  },
  'net.ipv4.tcp_pacing_ca_ratio': (value, into) => {
    const v = int(value);
    if (v === null || v < 0 || v > 1000) return null;
    into.pacingCaRatio = v;
    return 'pacingCaRatio';
  },
  'net.ipv4.tcp_min_tso_segs': (value, into) => {
    const v = int(value);
    if (v === null || v < 1 || v > 255) return null;
    into.minTsoSegs = v;
    return 'minTsoSegs';
  },
  'net.ipv4.tcp_tw_reuse': (value, into) => {
    const v = int(value);
    if (v === null) return null;
    into.twReuse = v === 1; // 2 means loopback only: never for a simulated peer
    return 'twReuse';
  },
  'net.ipv4.tcp_congestion_control': (value, into) => {
    if (value !== 'cubic' && value !== 'reno') return null;
    into.congestion = value;
    return 'congestion';
  },
  'net.ipv4.tcp_rmem': (value, into) => {
    const v = ints(value);
    if (v === null || v.length !== 3) return null;
    into.rcvBuf = v[1]!;
    into.rcvBufMax = v[2]!;
    return 'rcvBuf/rcvBufMax';
  },
  'net.ipv4.tcp_wmem': (value, into) => {
    const v = ints(value);
    if (v === null || v.length !== 3) return null;
    into.sndBuf = v[1]!;
    into.sndBufMax = v[2]!;
    return 'sndBuf/sndBufMax';
  },
  'net.ipv4.ip_local_port_range': (value, into) => {
    const v = ints(value);
    if (v === null || v.length !== 2 || v[0]! > v[1]!) return null;
    into.ephemeralLow = v[0]!;
    into.ephemeralHigh = v[1]!;
    return 'ephemeralLow/ephemeralHigh';
  },
};

/** Reads a sourced script by path (relative to the script's folder); null if it cannot. */
export type ReadScriptFile = (path: string) => string | null;

function applySetting(key: string, value: string, out: SysctlResult): void {
  const normal = key.replace(/\//g, '.');
  const setter = SETTERS[normal];
  if (setter === undefined) {
    out.ignored.push(`${normal}=${value}`);
    return;
  }
  const field = setter(value, out.params);
  if (field === null) out.errors.push(`${normal}: cannot use value "${value}"`);
  else out.applied.push(`${normal}=${value} -> ${field}`);
}

function runLine(line: string, read: ReadScriptFile, out: SysctlResult, depth: number): void {
  const words = shellWords(line);
  if (words.length === 0) return;
  const cmd = words[0]!;
  const base = cmd.slice(cmd.lastIndexOf('/') + 1);
  if (base === 'sysctl') {
    for (const w of words.slice(1)) {
      if (w.startsWith('-')) continue;
      const eq = w.indexOf('=');
      if (eq < 0) out.ignored.push(`sysctl ${w}`);
      else applySetting(w.slice(0, eq), w.slice(eq + 1), out);
    }
    return;
  }
  if (base === 'set_sysctls.py') {
    for (const w of words.slice(1)) {
      const m = /^\/proc\/sys\/(.+?)=(.*)$/.exec(w);
      if (m) applySetting(m[1]!, m[2]!, out);
      else out.ignored.push(`${base} ${w}`);
    }
    return;
  }
  if (base.endsWith('.sh') && (cmd.startsWith('.') || cmd.startsWith('/')) && !cmd.includes('$')) {
    if (depth > 4) {
      out.errors.push(`${cmd}: sourced too deeply`);
      return;
    }
    const text = read(cmd);
    if (text === null) {
      out.errors.push(`${cmd}: cannot read`);
      return;
    }
    for (const l of commandLines(text)) runLine(l, read, out, depth + 1);
    return;
  }
  if (isMetricsFlush(words)) {
    out.applied.push(`${line} -> destination metrics flushed`);
    return;
  }
  // `tc qdisc add|replace dev ... root fq`: the fq qdisc paces at sk_pacing_rate (pacing.ts).
  if (
    base === 'tc' &&
    words[1] === 'qdisc' &&
    (words[2] === 'add' || words[2] === 'replace') &&
    words.includes('root') &&
    words[words.length - 1] === 'fq'
  ) {
    out.params.pacing = 'fq';
    out.applied.push(`${line} -> pacing=fq`);
    return;
  }
  out.ignored.push(line);
}

/**
 * `tc qdisc add dev ... root pfifo limit 0` (a queue that takes nothing: true) or `tc qdisc
 * delete dev ... root` (the default queue back: false), the last one in the text; null if none.
 */
export function qdiscDropsAll(text: string): boolean | null {
  let state: boolean | null = null;
  for (const line of commandLines(text)) {
    for (const part of line.split(/;|&&|\|\|/)) {
      const w = shellWords(part.trim());
      const base = w[0]?.slice(w[0].lastIndexOf('/') + 1);
      if (base !== 'tc' || w[1] !== 'qdisc') continue;
      if (w[2] === 'delete' || w[2] === 'del') state = false;
      else if (w[2] === 'add' || w[2] === 'replace') {
        const limit = w.indexOf('limit');
        state = w.includes('pfifo') && limit > 0 && w[limit + 1] === '0';
      }
    }
  }
  return state;
}

/** `ip tcp_metrics flush [all]` (also `ip tcpm flush`): empties the host's tcp_metrics. */
function isMetricsFlush(words: string[]): boolean {
  const base = words[0]?.slice(words[0].lastIndexOf('/') + 1);
  return base === 'ip' && (words[1] === 'tcp_metrics' || words[1] === 'tcpm') && words[2] === 'flush';
}

/** Whether shell command text flushes the destination metrics (a timed command the runner obeys). */
export function flushesMetrics(text: string): boolean {
  return commandLines(text).some((line) => isMetricsFlush(shellWords(line)));
}

/** Interprets shell command text (a backquoted block) into engine parameter overrides. */
export function sysctlsFromCommands(text: string, read: ReadScriptFile, into?: SysctlResult): SysctlResult {
  const out: SysctlResult = into ?? { params: {}, applied: [], ignored: [], errors: [] };
  for (const line of commandLines(text)) runLine(line, read, out, 0);
  return out;
}
