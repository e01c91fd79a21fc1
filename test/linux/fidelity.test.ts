/**
 * docs/linux-fidelity.md: tcplab against a real Linux 6.18 (HZ 250, measured in network
 * namespaces; issue 8), one row per scenario, each from an experiment under experiments/linux/,
 * with `tcp.timers: wheel` (the linux profile's default) and `exact`. The test regenerates the
 * file and fails when the committed one differs, so the table is always the current engine's.
 * It also holds the engine to the issue's bar: wheel results inside the measured bands (where a
 * band comes from one or two runs, the analytic range of the wheel instead), exact results at the
 * nominal values.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  flood,
  measured,
  median,
  silentHost,
  synAckLost,
  timeWait,
  timeWaitEmpty,
  timeWaitLifetimes,
  wheelPrediction,
  type FloodResult,
  type KernelMeasurement,
  type SilentResult,
  type TimeWaitResult,
} from './fidelity-rows.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const doc = path.join(repoRoot, 'docs/linux-fidelity.md');

/**
 * Seeds per scenario (each seed is another jiffies phase and, for the flood, other arrivals). The
 * single-connection rows take 60: the median of n draws of a result spread evenly over ~2 s has a
 * standard error of about 0.74 / sqrt(n) s, 0.1 s at n = 60, small beside the measured bands.
 */
const SEEDS = { silent: 60, synAck: 60, flood: 10, floodExact: 3, cookies: 2, timeWait: 3, timeWaitEmpty: 60 };

/** The measured bands (Linux 6.18, HZ 250; issue 8), in seconds. */
const BAND = {
  silent4: [133.9, 135.0],
  silent0: [129.7, 129.8],
  lastSynAck: [31.45, 31.61],
  gone: [64, 65],
  twEmpty: [61, 62],
} as const satisfies Record<string, readonly [number, number]>;

/** The waits of each chain in jiffies (HZ 250): SYN retransmissions and ETIMEDOUT, SYN-ACKs and the request's end. */
const CHAIN = {
  silent4: [250, 250, 250, 250, 250, 500, 1000, 2000, 4000, 8000, 16000],
  silent0: [250, 500, 1000, 2000, 4000, 8000, 16000],
  lastSynAck: [250, 500, 1000, 2000, 4000],
  gone: [250, 500, 1000, 2000, 4000, 8000],
  twEmpty: [15000],
} as const;
/** Decimals the measured band is quoted with. */
const DEC: Record<keyof typeof BAND, number> = { silent4: 1, silent0: 1, lastSynAck: 2, gone: 0, twEmpty: 0 };
const LABEL: Record<keyof typeof BAND, string> = {
  silent4: 'ETIMEDOUT, defaults',
  silent0: 'ETIMEDOUT, `tcp_syn_linear_timeouts=0`',
  lastSynAck: 'last SYN-ACK',
  gone: 'request gone',
  twEmpty: 'TIME-WAIT lifetime of the last socket',
};
const predicted = Object.fromEntries(
  (Object.keys(CHAIN) as (keyof typeof BAND)[]).map((k) => {
    const [lo, hi] = BAND[k];
    return [k, wheelPrediction(CHAIN[k], lo, hi)];
  }),
) as Record<keyof typeof BAND, ReturnType<typeof wheelPrediction>>;

const fmt = (x: number, d: number): string => x.toFixed(d);
function span(xs: readonly number[], d: number): string {
  const lo = fmt(Math.min(...xs), d);
  const hi = fmt(Math.max(...xs), d);
  return lo === hi ? lo : `${lo}–${hi}`;
}

const silent4 = { wheel: silentHost('wheel', 4, SEEDS.silent), exact: silentHost('exact', 4, 1) };
const silent0 = { wheel: silentHost('wheel', 0, SEEDS.silent), exact: silentHost('exact', 0, 1) };
const synAck = { wheel: synAckLost('wheel', SEEDS.synAck), exact: synAckLost('exact', 1) };
const floodNone = { wheel: flood('wheel', 'none', SEEDS.flood), exact: flood('exact', 'none', SEEDS.floodExact) };
const floodCookies = { wheel: flood('wheel', 'cookies', SEEDS.cookies), exact: flood('exact', 'cookies', 1) };
const tw = { wheel: timeWait('wheel', SEEDS.timeWait), exact: timeWait('exact', 1) };
const twEmpty = timeWaitEmpty('wheel', SEEDS.timeWaitEmpty);

/**
 * Linux measured again on this machine (experiments/linux/measured/): connect() to a silent host
 * with the defaults, without linear timeouts, with tcp_syn_retries 1..5, and with TCP_USER_TIMEOUT.
 * Each row pairs the kernel's runs with tcplab's over seeds, the same settings through --set.
 */
const HERE: { label: string; file: string; linear: number; set: string[]; seeds: number }[] = [
  {
    label: 'defaults (tcp_syn_retries 6, linear timeouts 4)',
    file: 'silent-defaults',
    linear: 4,
    set: [],
    seeds: SEEDS.silent,
  },
  { label: '`tcp_syn_linear_timeouts=0`', file: 'silent-linear-0', linear: 0, set: [], seeds: SEEDS.silent },
  ...[1, 2, 3, 4, 5].map((n) => ({
    label: `\`tcp_syn_retries=${n}\``,
    file: `silent-retries-${n}`,
    linear: 4,
    set: [`tcp.synRetries=${n}`],
    seeds: 20,
  })),
  { label: '`TCP_SYNCNT 1` (socket option)', file: 'silent-syncnt-1', linear: 4, set: ['tcp.synRetries=1'], seeds: 20 },
  {
    label: '`TCP_USER_TIMEOUT 2500 ms`',
    file: 'silent-user-timeout-2500ms',
    linear: 4,
    set: ['tcp.userTimeout=2500ms'],
    seeds: 20,
  },
];
const here = HERE.map((h) => ({
  ...h,
  linux: measured(h.file),
  wheel:
    h.file === 'silent-defaults'
      ? silent4.wheel
      : h.file === 'silent-linear-0'
        ? silent0.wheel
        : silentHost('wheel', h.linear, h.seeds, h.set),
  exact: silentHost('exact', h.linear, 1, h.set)[0]!,
}));
const KERNEL = here[0]!.linux.kernel;
/** The server side and TIME-WAIT, measured here too (experiments/linux/measure/synack-lost.py, time-wait.py). */
interface SynAckMeasurement {
  runs: { synAcks: number[]; goneAt: number | null }[];
}
interface TimeWaitMeasurement {
  runs: { timeWait: number }[];
}
const synAckHere = JSON.parse(
  readFileSync(path.join(repoRoot, 'experiments/linux/measured/synack-lost.json'), 'utf8'),
) as SynAckMeasurement;
const twHere = JSON.parse(
  readFileSync(path.join(repoRoot, 'experiments/linux/measured/time-wait.json'), 'utf8'),
) as TimeWaitMeasurement;
const twLives = { wheel: timeWaitLifetimes('wheel', 60), exact: timeWaitLifetimes('exact', 1) };
/**
 * 200 seeds for the server rows: the request's end spreads evenly over ~2 s, so the median of 60
 * seeds wanders by ±0.2 s (64.4 s at 60 seeds, 64.6 s at 300, timer.c predicts 64.65 s).
 */
const synAckMany = synAckLost('wheel', 200);
const stat = (xs: readonly number[], d: number, what: string): string =>
  `${span(xs, d)} s (median ${fmt(median(xs), d)}) over ${xs.length} ${what}`;
const serverRows: [string, number[], number[], number[]][] = [
  [
    'last SYN-ACK of 6, from the SYN (tcp_synack_retries 5, the handshake never completes)',
    synAckHere.runs.map((r) => r.synAcks.at(-1)!),
    synAckMany.map((r) => r.lastSynAck),
    synAck.exact.map((r) => r.lastSynAck),
  ],
  [
    'the request gone, from the SYN',
    synAckHere.runs.map((r) => r.goneAt!),
    synAckMany.map((r) => r.gone),
    synAck.exact.map((r) => r.gone),
  ],
  ["a client socket's TIME-WAIT lifetime", twHere.runs.map((r) => r.timeWait), twLives.wheel, twLives.exact],
];

/** "11 SYNs, ETIMEDOUT at 133.3–135.3 s (median 134.03) over 40 runs" */
function hereCell(xs: readonly SilentResult[], what: string): string {
  const syns = [...new Set(xs.map((x) => x.syns))].sort((a, b) => a - b).join('/');
  const t = xs.map((x) => x.timeout);
  return `${syns} SYNs, ETIMEDOUT at ${span(t, 2)} s (median ${fmt(median(t), 2)}) over ${xs.length} ${what}`;
}
const linuxRuns = (m: KernelMeasurement): SilentResult[] =>
  m.runs.map((r) => ({ syns: r.syns.length, timeout: r.failedAt }));
/** The kernel's SYN times of its first run, rounded to 0.1 s: "0, 1.0, 2.0" */
const linuxSyns = (m: KernelMeasurement): string => m.runs[0]!.syns.map((x) => fmt(x, 1)).join(', ');

const inBand = (xs: readonly number[], [lo, hi]: readonly [number, number]): number =>
  xs.filter((x) => x >= lo && x <= hi).length;
/** "median 134.0; 27 of 60 seeds in the measured band" */
function spread(xs: readonly number[], band: readonly [number, number], d: number): string {
  return `median ${fmt(median(xs), d)}; ${inBand(xs, band)} of ${xs.length} in the measured band`;
}

function silentCell(r: { syns: number; timeout: number }[], band: readonly [number, number]): string {
  const syns = [...new Set(r.map((x) => x.syns))].join('/');
  const t = r.map((x) => x.timeout);
  return r.length === 1
    ? `${syns} SYNs, ${fmt(t[0]!, 3)} s`
    : `${syns} SYNs, ETIMEDOUT at ${span(t, 1)} s (${spread(t, band, 1)}) over ${r.length} seeds`;
}

function synAckCell(r: { lastSynAck: number; gone: number }[]): string {
  const last = r.map((x) => x.lastSynAck);
  const gone = r.map((x) => x.gone);
  return r.length === 1
    ? `last SYN-ACK +${fmt(last[0]!, 3)} s, gone at ${fmt(gone[0]!, 3)} s`
    : `last SYN-ACK +${span(last, 2)} s (${spread(last, BAND.lastSynAck, 2)}), gone at ${span(gone, 1)} s (${spread(gone, BAND.gone, 1)}) over ${r.length} seeds`;
}

function floodCell(r: FloodResult[]): string {
  const c = r.map((x) => x.connected);
  const pct = r.map((x) => (100 * x.connected) / x.attempted);
  const mean = pct.reduce((a, b) => a + b, 0) / pct.length;
  const ok = r.filter((x) => x.connected > 0);
  const times =
    ok.length > 0
      ? `, connect time median ${span(
          ok.map((x) => x.p50),
          1,
        )} s, p90 ${span(
          ok.map((x) => x.p90),
          1,
        )} s`
      : '';
  return `${span(c, 0)} of ${r[0]!.attempted} (${span(pct, 1)} %, mean ${fmt(mean, 1)} %)${times} over ${r.length} seeds`;
}

function cookiesCell(r: FloodResult[]): string {
  return `${span(
    r.map((x) => x.connected),
    0,
  )}/${r[0]!.attempted}, connect time ${span(
    r.map((x) => x.p50 * 1000),
    0,
  )} ms (1 RTT: 22 ms) over ${r.length} seed${r.length > 1 ? 's' : ''}`;
}

function twCell(r: TimeWaitResult[], empty?: number[]): string {
  const min = Math.min(...r.map((x) => x.min));
  const max = Math.max(...r.map((x) => x.max));
  if (min === max)
    return `flat ${min}, empty ${span(
      r.map((x) => x.emptyAfterLast),
      1,
    )} s after the last`;
  return (
    `saw-tooth ${min}–${max} (mean ${span(
      r.map((x) => x.mean),
      0,
    )}, ${span(
      r.map((x) => x.drops),
      0,
    )} drops in 25 s) over ${r.length} seeds; ` +
    `empty ${span(empty!, 1)} s after the last (${spread(empty!, BAND.twEmpty, 1)}) over ${empty!.length} seeds of a 1 s run`
  );
}

const rows: [string, string, string, string, string][] = [
  [
    'connect() to a host that never answers, defaults',
    '11 SYNs, ETIMEDOUT at 133.9–135.0 s',
    silentCell(silent4.wheel, BAND.silent4),
    silentCell(silent4.exact, BAND.silent4),
    'silent-host.yaml',
  ],
  [
    'same, `tcp_syn_linear_timeouts=0`',
    '7 SYNs, 129.7–129.8 s',
    silentCell(silent0.wheel, BAND.silent0),
    silentCell(silent0.exact, BAND.silent0),
    'silent-host.yaml (`tcp.synLinearTimeouts: 0`)',
  ],
  [
    'one SYN, its SYN-ACKs lost',
    'SYN-ACKs up to +31.45–31.61 s, request gone at 64–65 s',
    synAckCell(synAck.wheel),
    synAckCell(synAck.exact),
    'synack-lost.yaml',
  ],
  [
    '2000 SYN/s spoofed flood, listen(128), cookies off; 300 clients at 10/s over 30 s, kernel retries, abandoned 5 s after the last start',
    '31 and 44 of 300 (10–15 %), connect time median 11.2 s, p90 19.5 s',
    floodCell(floodNone.wheel),
    floodCell(floodNone.exact),
    'syn-flood.yaml (defence `none`)',
  ],
  [
    'same, cookies on',
    '300/300 at one RTT',
    cookiesCell(floodCookies.wheel),
    cookiesCell(floodCookies.exact),
    'syn-flood.yaml (defence `cookies`)',
  ],
  [
    'HTTP/1.0 client closing 50 conn/s: TIME-WAIT sockets',
    'saw-tooth 3006–3096 (mean ≈ 3050, peak 3100), empty 61–62 s after the last',
    twCell(tw.wheel, twEmpty),
    twCell(tw.exact),
    'time-wait.yaml (the last: `--set apps.users.stop=1s duration=65s`)',
  ],
];

function render(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return `# tcplab against Linux, as measured

<!-- Generated by test/linux/fidelity.test.ts from experiments/linux/*.yaml: do not edit. -->

A real Linux 6.18 kernel (HZ 250), measured in network namespaces on one machine (issue 8), next
to tcplab with the \`linux\` profile: \`tcp.timers: wheel\` (the default: every TCP timer Linux keeps
on the kernel timer wheel is rounded as the wheel rounds it, see [linux-timers.md](linux-timers.md))
and \`tcp.timers: exact\` (each timer at its nominal nanosecond). Each row is an experiment a reader
can run, e.g. \`npx tcplab run experiments/linux/silent-host.yaml\`, and again with
\`--set tcp.timers=exact\`. tcplab ranges are over seeds: each seed draws another phase of the
jiffies clock (\`tcp.jiffies: shared\`), and, for the flood, other attack arrivals. Times count
from connect() (rows 1–2), from the SYN's arrival at the server (row 3), from the last connection's
start with 0.1 s sampling (row 6).

| scenario | Linux 6.18 measured | tcplab \`wheel\` | tcplab \`exact\` | experiments/linux/ |
|---|---|---|---|---|
${rows.map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n')}

Why the wheel matters most in the flood: with exact timers every flood request expires at its own
nanosecond and a freed slot is taken by the next flood SYN within half a millisecond, so a client's
SYN almost never finds one. On the wheel, requests whose timers fall in one slot (32 ms wide for
the 1 s and 2 s waits, 256 ms for 4–16 s) expire together, and once the queue is over half full the
young/old rule of reqsk_timer_handler drops old requests after fewer retries: slots free up in
bursts at slot edges, and a client SYN retransmitted (itself on the wheel) into such an edge gets in.
The successes cluster on the client's SYN retransmissions at +11 s and +19 s, as on Linux.

The single-connection rows and the TIME-WAIT socket count's emptying come from one or two Linux
runs each: each measured band is one or two draws of where the jiffies phase fell, so it is
narrower than the spread the phase gives on any kernel. What the wheel allows, from timer.c (HZ
250): ETIMEDOUT between 133.3 and 135.3 s (defaults) and between 129.2 and 131.2 s (linear
timeouts off); the request gone between 63.6 and 65.7 s; the last TIME-WAIT socket ends 60–62.05 s
after it began (60 s is 15 000 jiffies, on the level of 512-jiffy slots). So each seed is held to
the wheel's range, and tcplab's median over seeds to the measured band. What timer.c predicts over
an evenly drawn phase, from the chain of waits alone (test/linux/fidelity-rows.ts
\`wheelPrediction\`):

| result | measured band | predicted median | phases inside the band |
|---|---|---|---|
${(Object.keys(BAND) as (keyof typeof BAND)[]).map((k) => `| ${LABEL[k]} | ${fmt(BAND[k][0], DEC[k])}–${fmt(BAND[k][1], DEC[k])} s | ${fmt(predicted[k].median, 2)} s | ${fmt(100 * predicted[k].share, 0)} % |`).join('\n')}

The linear-timeouts row is the exception: its predicted median lies above its 0.1 s measured band,
which about one phase in twenty reaches; tcplab's seeds cover the band but are not centred on it.
Measured again below with 40 connects, a real kernel lands in that band just as rarely: the band
was a narrow draw, and the kernel's spread and median are tcplab's.

Three finer points of timer.c are modelled and move none of these rows. A timer re-armed from its
own callback sees clk = jiffies + 1 (__run_timers increments base->clk before expire_timers), which
changes the level only for a wait right at a level boundary (63, 504, 4 032 jiffies): none of the
waits above is. __mod_timer forwards an idle base's clk to jiffies (forward_timer_base) before it
computes the bucket, so an idle CPU adds no lag. Timers sharing a tick run highest level first,
newest first (expire_timers, hlist_add_head): under the flood every request's young/old decision
is the same whatever the order, so the flood row is unchanged too.

## Measured again here: SYN give-up

Linux ${KERNEL} (HZ ${here[0]!.linux.hz}), on the machine tcplab is developed on, measured by
\`experiments/linux/measure/silent-connect.py\` (run as root in a fresh network namespace: a veth
pair whose far end drops every frame, each connect() started at a random offset so it meets the
jiffies clock at another phase, every SYN timed on the far end). The raw runs are under
\`experiments/linux/measured/\`; tcplab runs \`experiments/linux/silent-host.yaml\` with the same settings
(\`--set tcp.synRetries=N\`, \`tcp.userTimeout=2500ms\`).

| setting | Linux measured here | SYN times (first run) | tcplab \`wheel\` | tcplab \`exact\` |
|---|---|---|---|---|
${here.map((h) => `| ${h.label} | ${hereCell(linuxRuns(h.linux), 'runs')} | ${linuxSyns(h.linux)} | ${hereCell(h.wheel, 'seeds')} | ${h.exact.syns} SYNs, ${fmt(h.exact.timeout, 3)} s |`).join('\n')}

The small retry counts show the rule: Linux gives up at the first SYN timer that finds either
tcp_syn_retries + tcp_syn_linear_timeouts retransmissions done or the first SYN older than the
(2^(n+1) − 1) s that n retries model (tcp_write_timeout, then retransmits_timed_out), whichever
comes first; TCP_USER_TIMEOUT replaces that time and clamps the timer to it. With
tcp_syn_retries 1 that is three SYNs and 3 s, not the six SYNs and 7 s the retry count allows;
with the defaults both rules give 131 s.

| quantity | Linux measured here | tcplab \`wheel\` | tcplab \`exact\` |
|---|---|---|---|
${serverRows.map(([label, linux, wheel, exact]) => `| ${label} | ${stat(linux, 2, 'runs')} | ${stat(wheel, 2, 'seeds')} | ${span(exact, 3)} s |`).join('\n')}

The SYN-ACK rows come from \`experiments/linux/measure/synack-lost.py\` (SYNs written onto the veth
by a packet socket, SYN-ACKs timed there, the request watched in /proc/net/tcp every 5 ms) against
\`experiments/linux/synack-lost.yaml\`; the TIME-WAIT row from \`time-wait.py\` (loopback, the client
closes first, /proc/net/tcp polled every 5 ms) against \`time-wait.yaml\` with one connection per seed.
`;
}

describe('docs/linux-fidelity.md', () => {
  it("wheel: each seed inside the wheel's range, the median over seeds inside the measured band", () => {
    const holds = (
      xs: readonly number[],
      band: readonly [number, number],
      lo: number,
      hi: number,
      centred = true,
    ): void => {
      for (const x of xs) {
        expect(x).toBeGreaterThan(lo); // each seed inside the wheel's range
        expect(x).toBeLessThan(hi);
      }
      expect(Math.min(...xs)).toBeLessThanOrEqual(band[0]); // tcplab gives every value Linux gave
      expect(Math.max(...xs)).toBeGreaterThanOrEqual(band[1]);
      if (!centred) return;
      expect(median(xs)).toBeGreaterThanOrEqual(band[0]); // and is centred in the measured band
      expect(median(xs)).toBeLessThanOrEqual(band[1]);
    };
    for (const r of silent4.wheel) expect(r.syns).toBe(11);
    holds(
      silent4.wheel.map((r) => r.timeout),
      BAND.silent4,
      133.25,
      135.31,
    );
    for (const r of silent0.wheel) expect(r.syns).toBe(7);
    holds(
      silent0.wheel.map((r) => r.timeout),
      BAND.silent0,
      129.15,
      131.25,
      false,
    ); // one phase in twenty: see the doc
    holds(
      synAck.wheel.map((r) => r.lastSynAck),
      BAND.lastSynAck,
      31.36,
      31.63,
    );
    holds(
      synAck.wheel.map((r) => r.gone),
      BAND.gone,
      63.6,
      65.7,
    );
    holds(twEmpty, BAND.twEmpty, 60, 62.2); // the last socket lives 60 s rounded up by < 2.048 s, sampled every 0.1 s
    for (const k of ['silent4', 'lastSynAck', 'gone', 'twEmpty'] as const) {
      expect(predicted[k].median).toBeGreaterThanOrEqual(BAND[k][0]); // timer.c itself centres these in the band
      expect(predicted[k].median).toBeLessThanOrEqual(BAND[k][1]);
    }
    const pct = floodNone.wheel.map((r) => (100 * r.connected) / r.attempted);
    for (const p of pct) {
      expect(p).toBeGreaterThanOrEqual(5); // 10–15 %, ±5 points
      expect(p).toBeLessThanOrEqual(20);
    }
    const meanPct = pct.reduce((a, b) => a + b, 0) / pct.length;
    expect(meanPct).toBeGreaterThanOrEqual(10);
    expect(meanPct).toBeLessThanOrEqual(15);
    expect(median(floodNone.wheel.map((r) => r.p50))).toBeCloseTo(11.2, 0);
    expect(median(floodNone.wheel.map((r) => r.p90))).toBeCloseTo(19.5, 0);
    for (const r of floodCookies.wheel) expect(r.connected).toBe(r.attempted);
    for (const r of tw.wheel) {
      expect(r.mean).toBeGreaterThanOrEqual(3020);
      expect(r.mean).toBeLessThanOrEqual(3080);
      expect(r.drops).toBeGreaterThanOrEqual(10); // a visible saw-tooth: a tooth every 2.048 s
    }
  });

  it("matches the kernel measured here: the same SYN counts, each run inside tcplab's spread, medians within 0.4 s", () => {
    for (const h of here) {
      const linux = linuxRuns(h.linux);
      expect(
        h.linux.runs.every((r) => r.error === 'Connection timed out'),
        h.file,
      ).toBe(true);
      expect([...new Set(h.wheel.map((x) => x.syns))], h.file).toEqual([...new Set(linux.map((x) => x.syns))]);
      const t = h.wheel.map((x) => x.timeout);
      for (const x of linux) {
        expect(x.timeout, h.file).toBeGreaterThanOrEqual(Math.min(...t) - 0.1); // 0.1 s: scheduling and timing noise of a real run
        expect(x.timeout, h.file).toBeLessThanOrEqual(Math.max(...t) + 0.1);
      }
      if (h.linux.runs.length >= 40)
        expect(Math.abs(median(t) - median(linux.map((x) => x.timeout))), h.file).toBeLessThanOrEqual(0.4);
      expect(h.exact.syns, h.file).toBe(linux[0]!.syns);
    }
    for (const [label, linux, wheel] of serverRows) {
      expect(Math.min(...linux), label).toBeGreaterThanOrEqual(Math.min(...wheel) - 0.1);
      expect(Math.max(...linux), label).toBeLessThanOrEqual(Math.max(...wheel) + 0.1);
      expect(Math.abs(median(wheel) - median(linux)), label).toBeLessThanOrEqual(0.4);
    }
  });

  it('exact: the nominal values, exactly', () => {
    expect(silent4.exact).toEqual([{ syns: 11, timeout: 131 }]);
    expect(silent0.exact).toEqual([{ syns: 7, timeout: 127 }]);
    expect(synAck.exact[0]!.lastSynAck).toBeCloseTo(31, 6);
    expect(synAck.exact[0]!.gone).toBeCloseTo(63, 6);
    expect(tw.exact[0]!.min).toBe(3000);
    expect(tw.exact[0]!.max).toBe(3000);
    for (const r of floodCookies.exact) expect(r.connected).toBe(r.attempted);
  });

  it('is current', () => {
    const text = render();
    const committed = existsSync(doc) ? readFileSync(doc, 'utf8') : '';
    if (committed !== text) writeFileSync(doc, text);
    expect(committed, 'docs/linux-fidelity.md was out of date: it has been regenerated, review and commit it').toBe(
      text,
    );
  });
});
