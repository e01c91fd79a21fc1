/**
 * The star scenario of star-*.yaml written the only way tcplab could before `stagger` and
 * no-response clients (issue 14): one `script` app per client, N entries. Used to time spec
 * handling at scale and to compare with builds that lack the new fields (see bench/README.md).
 * Client i (0-based) connects at i × (1 s / N), sends 1000 B 20 ms later (after the 12 ms
 * handshake) and closes; the server reads to end of stream and closes.
 *
 * Run: `npx tsx bench/scenarios/star-scripts.ts N > star-scripts-N.yaml`
 */
const n = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error('N: a whole number from 1 to 100000');
const step = 1e9 / n; // ns between starts
const ns = (t: number): string => `${Math.round(t)}ns`;
const out: string[] = [
  `name: star-scripts-${n}`,
  'topology:',
  `  name: star-${n}`,
  `  nodes: [{ name: client, count: ${n} }, { name: r1, kind: router }, server]`,
  '  links:',
  '    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps }',
  '    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }',
  'duration: 62s',
  'seed: 1',
  'tcp:',
  '  profile: linux',
  'apps:',
  '  sink: { kind: server, on: server, port: 80, responseBytes: 0 }',
];
for (let i = 0; i < n; i++) {
  const t = i * step;
  out.push(
    `  c${i + 1}: { kind: script, on: client${i + 1}, steps: [{ at: ${ns(t)}, connect: "server:80" }, { at: ${ns(t + 20e6)}, send: 1000 }, { at: ${ns(t + 20e6)}, close: true }] }`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
