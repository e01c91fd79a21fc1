/**
 * Every number README.md states about the flagship experiments and the example, in one place.
 * test/readme.test.ts checks that the README says exactly these sentences and that the code
 * produces these numbers. Timer-free facts (the handshake floor, port counts) are exact; numbers
 * that depend on timers or on the flood's random arrivals are written as the README rounds them.
 * A model change that moves one (e.g. a timer-wheel model shifting timeouts by a few ms) fails the
 * test naming the sentence: update the number here and in README.md together.
 */

/** handshake.yaml at 25 ms client links: 2 × (25 + 1) ms + 10.56 µs of serialization. */
export const HANDSHAKE_RTT_MS = 52.01056;
/** What one lost SYN or SYN-ACK adds, and each further lost SYN (linear SYN timeouts). */
export const LOSS_STEP_S = 1;
/** Slack for a loss step, in ms: Linux's timer wheel runs a 1 s timer 1.00–1.03 s (README). */
export const TIMER_SLACK_MS = 30;

/** syn-flood.yaml, no defence: client success ratio (mean over the file's 2 seeds, 2 decimals). */
export const SYN_FLOOD_NO_DEFENCE: Readonly<Record<string, string>> = {
  '30/s': '0.7',
  '100/s': '0.13',
  '1000/s': '0.01',
};
/** The SYN queue after the flood stops, where Linux's pruning stops (half of 128). */
export const SYN_QUEUE_AFTER_FLOOD = 64;

/**
 * time-wait.yaml: the TIME-WAIT saw-tooth at 300/s (Linux's timer wheel ends TIME-WAIT on 2.048 s
 * slot edges, 60–62 s), and the rates at which connect() fails.
 */
export const TIME_WAIT_300: readonly [number, number] = [18040, 18615];
export const PORTS_LAST_UNTIL = 460; // ≈ 28 232 / 61 s
export const FAILING_RATES = ['460/s', '480/s'] as const;

/** The README's my-flood example: success without cookies at 1000 and 10 000 SYN/s (seed 1, 2 decimals). */
export const MY_FLOOD_SUCCESS: Readonly<Record<string, string>> = { '1000/s': '0.02', '10000/s': '0' };

/**
 * handshake.yaml's Fast Open axis at 25 ms (test/experiment/fastopen-experiment.test.ts derives
 * them byte by byte): a first visit's request time, a repeat visit's, and what separates them
 * beyond one round trip (serialization), in ms.
 */
export const TFO_FIRST_MS = 104.21904;
export const TFO_REPEAT_MS = 52.204736;
export const TFO_SERIALIZATION_US = 14.304;
/** syn-flood.yaml's fast-open-no-cookie point at 1000 SYN/s: the Fast Open queue's length, full this long after the flood starts. */
export const TFO_QUEUE = 128;
export const TFO_QUEUE_FULL_AFTER_S = 0.2;

/** The sentences, as README.md has them. */
export const SENTENCES = {
  handshake: `plus serialization (2 × (25 + 1) ms + 10.56 µs = 52.011 ms here, exactly); a lost SYN or SYN-ACK
adds the 1 s initial RTO (RFC 6298; 1.00–1.03 s on Linux's timer wheel), and each further loss
about another second (the linux profile's linear SYN timeouts send SYNs at 0, 1, 2, 3, 4, 5 s):
the CDF climbs in steps of about a second, and the p99 is about 1 s above the RTT at 1 % loss and
about 2 s above it at 10 %.`,
  synQueue: `The SYN queue sits at its capacity of
129 (Linux tests \`len > backlog\`) in all but a few 100 ms samples of the attack, then falls to ${SYN_QUEUE_AFTER_FLOOD}
where Linux stops pruning.`,
  synFlood: `Without a defence, client success falls to ${SYN_FLOOD_NO_DEFENCE['30/s']} at 30 SYN/s, ${SYN_FLOOD_NO_DEFENCE['100/s']} at 100 SYN/s and
${SYN_FLOOD_NO_DEFENCE['1000/s']} at 1000 SYN/s, while cookies and the cache keep every client in at 10 000 SYN/s.`,
  recycle: `Recycle-oldest fails at 10 000 SYN/s: a client's entry is
evicted after 12.9 ms, before its ACK returns one 22 ms RTT later.`,
  timeWait: `closes, TIME-WAIT plateaus at rate × 60–62 s (a saw-tooth of 18 040–18 500, peak 18 615, at 300/s:
Linux's timer wheel ends TIME-WAIT on 2.048 s slot edges); 28 232 ports (32768–60999) last until
~${PORTS_LAST_UNTIL} connections/s, and at 460/s \`connect()\` already fails now and then with EADDRNOTAVAIL`,
  fastOpen: `With TCP Fast Open (the \`tfo\` axis) a repeat visit sends its request in the SYN with
the cookie it cached: at 25 ms the answer arrives ${TFO_REPEAT_MS.toFixed(3)} ms after connect(), against ${TFO_FIRST_MS.toFixed(3)} ms on a first
visit, which asks for the cookie: one RTT less, and ${TFO_SERIALIZATION_US} µs of serialization.`,
  synFloodFastOpen: `Two more points turn TCP Fast Open on, the flood's SYNs carrying data:
with cookies the flood never enters the server's Fast Open queue; without them (\`tcp_fastopen\`
0x200) it fills the queue's ${TFO_QUEUE} places within ${TFO_QUEUE_FULL_AFTER_S} s and holds them after the flood ends. In
both the SYN queue fills as without a defence, and the clients' SYN data waits like any SYN.`,
  myFlood: `Without cookies the clients' success
ratio falls from 1 with no attack to ${MY_FLOOD_SUCCESS['1000/s']} at 1000 SYN/s and ${MY_FLOOD_SUCCESS['10000/s']} at 10 000 SYN/s (seed 1); with cookies it stays at 1.`,
} as const;

/** bulk.yaml: lossless goodput floor (Mbit/s) and the band around the Mathis model at 3 % loss. */
export const BULK_LOSSLESS_MBPS = 8.9;
export const BULK_MATHIS_BAND: readonly [number, number] = [0.5, 1.5];
export const BULK_SENTENCE = `Without loss
both carry it at more than ${BULK_LOSSLESS_MBPS} Mbit/s; at 3 % loss both stay within half and one and a half times
the Mathis model MSS/RTT · 1.22/√p (2.0 Mbit/s) (seed 1 checked by the flagship test).`;

/** http2-loss.yaml: round trips for a page of 50 objects of 8 KB on a clean path, and the loss from which six connections win. */
export const H2_LOSS_RTTS: Readonly<Record<string, number>> = { h2: 6, parallel: 10 };
export const H2_LOSS_SENTENCE = `Without loss
HTTP/2 loads it in 6 RTT (its one window grows 10, 20, 40, 80, 160 segments) and six HTTP/1.1
connections in 10 (9 rounds of one object each); under loss the order flips: HTTP/2 is still
ahead at 0.5 %, behind from 1 % on, and takes more than 1.5 times as long at 5 %`;

/** http-versions.yaml: round trips per page of 10 objects, per mode (as the README words them). */
export const HTTP_RTTS: Readonly<Record<string, number>> = {
  'http1-0': 20,
  parallel: 3,
  keepalive: 11,
  pipelined: 2,
  h2: 2,
  'http1-0-tfo': 11,
};
export const HTTP_SENTENCE = `HTTP/1.0 with one
connection per object (2 RTT per object), six HTTP/1.1 connections (3 RTT), keep-alive (1 RTT per
object after the first handshake), pipelining and HTTP/2 (about 2 RTT in all), and HTTP/1.0 with
TCP Fast Open (the first connection asks for the cookie, each later one sends its request in the
SYN: 1 RTT per object after the first, 11 RTT as keep-alive).`;
