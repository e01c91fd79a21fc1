/**
 * What every metric in summary.json / metrics.csv and every time-series metric in timeseries.csv
 * means, with its unit: the source of the metric sections of docs/parameters.md. A test runs an
 * experiment and fails when it produces a metric not listed here.
 */

export interface MetricDoc {
  /** The name, or a pattern: `<stat>` stands for count, mean, p50, p90, p99, max; `<errno>` for an error name. */
  name: string;
  unit: string;
  doc: string;
}

/** The summaries a distribution metric (`handshake_ms.<stat>`) comes in; percentiles are nearest-rank. */
export const DISTRIBUTION_STATS = ['count', 'mean', 'p50', 'p90', 'p99', 'max'] as const;

export const RUN_METRICS: readonly MetricDoc[] = [
  {
    name: 'connections.attempted',
    unit: 'connections',
    doc: 'connect() calls by client apps (attackers are not counted).',
  },
  { name: 'connections.established', unit: 'connections', doc: 'Client connections whose handshake completed.' },
  {
    name: 'connections.failed',
    unit: 'connections',
    doc: 'connect() calls that failed (timeout, refused, reset, no port).',
  },
  { name: 'connections.reset', unit: 'connections', doc: 'Established client connections later reset by the peer.' },
  {
    name: 'connections.lost',
    unit: 'connections',
    doc: 'Established client connections that later died with an error (reset, data or keepalive timeout).',
  },
  {
    name: 'connections.success_ratio',
    unit: 'ratio 0-1',
    doc: '(established - lost) / attempted; connections still opening at the end count as not successful.',
  },
  {
    name: 'connect_errors.<errno>',
    unit: 'connections',
    doc: 'Failed or lost connections by error: ETIMEDOUT, ECONNREFUSED, ECONNRESET, EADDRNOTAVAIL; EHOSTUNREACH, ENETUNREACH (ICMP errors) only in runs where they happened.',
  },
  {
    name: 'handshake_ms.<stat>',
    unit: 'ms',
    doc: 'connect() to ESTABLISHED on the client, per established connection.',
  },
  { name: 'request_ms.<stat>', unit: 'ms', doc: 'Client request sent to response fully received.' },
  {
    name: 'page_ms.<stat>',
    unit: 'ms',
    doc: 'A whole page (all its requests) for http1.1 / multi-request clients; present only when pages completed.',
  },
  {
    name: 'hol_ms.<stat>',
    unit: 'ms',
    doc: 'Per HTTP/2 stream (client mode h2): the longest any of its frames waited, complete, in the receive queue behind a hole of other streams (transport head-of-line blocking, measured from the out-of-order queue); present only with h2 clients.',
  },
  {
    name: 'bulk_ms.<stat>',
    unit: 'ms',
    doc: 'Bulk transfer duration, first byte written to last byte acknowledged; only with bulk apps.',
  },
  { name: 'bulk_goodput_mbps.<stat>', unit: 'Mbit/s', doc: 'Bulk transfer bytes / duration; only with bulk apps.' },
  {
    name: 'syn_queue.capacity',
    unit: 'entries',
    doc: 'Largest SYN queue (or SYN cache) of any listener: min(backlog, somaxconn) + 1 on Linux.',
  },
  { name: 'syn_queue.peak', unit: 'entries', doc: 'Most half-open requests any listener held at once.' },
  {
    name: 'syn_queue.drops',
    unit: 'SYNs',
    doc: 'SYNs that got no SYN-ACK because a queue was full and no cookie went out, plus half-open entries evicted to make room.',
  },
  { name: 'accept_queue.capacity', unit: 'connections', doc: 'Largest accept queue of any listener.' },
  { name: 'accept_queue.peak', unit: 'connections', doc: 'Most completed connections waiting for accept() at once.' },
  {
    name: 'accept_queue.drops',
    unit: 'ACKs',
    doc: 'Final ACKs dropped or answered with RST because the accept queue was full (Linux ListenOverflows).',
  },
  { name: 'syn_cookies.sent', unit: 'SYN-ACKs', doc: 'SYN-ACKs carrying a SYN cookie.' },
  { name: 'syn_cookies.accepted', unit: 'connections', doc: 'Connections completed from a valid cookie.' },
  {
    name: 'tfo.requested',
    unit: 'connections',
    doc: 'TCP Fast Open client connections whose SYN asked for a cookie (no cookie cached for the server yet).',
  },
  {
    name: 'tfo.accepted',
    unit: 'connections',
    doc: 'TCP Fast Open client connections whose data in the SYN the SYN-ACK acknowledged (Linux TCPFastOpenActive).',
  },
  {
    name: 'tfo.fallback',
    unit: 'connections',
    doc: 'TCP Fast Open client connections whose SYN-data the SYN-ACK did not acknowledge: sent again after the handshake (Linux TCPFastOpenActiveFail).',
  },
  {
    name: 'tfo_queue.capacity',
    unit: 'connections',
    doc: 'Largest Fast Open queue of any listener (TCP_FASTOPEN; 0 = Fast Open off at the servers).',
  },
  {
    name: 'tfo_queue.peak',
    unit: 'connections',
    doc: 'Most Fast Open children (made from SYN-data, still in SYN_RCVD) any listener held at once.',
  },
  {
    name: 'tfo_queue.drops',
    unit: 'SYNs',
    doc: 'SYN-data a full Fast Open queue turned to an ordinary handshake (Linux TCPFastOpenListenOverflow).',
  },
  { name: 'time_wait.peak', unit: 'sockets', doc: 'Most TIME-WAIT sockets on one node at once.' },
  { name: 'time_wait.peak_total', unit: 'sockets', doc: 'Most TIME-WAIT sockets over all nodes at once.' },
  { name: 'time_wait.peak_node', unit: 'node name', doc: 'The node that held time_wait.peak (ties: first by name).' },
  { name: 'segments.sent', unit: 'segments', doc: 'TCP segments sent by all hosts, retransmissions included.' },
  { name: 'segments.retransmitted', unit: 'segments', doc: 'Retransmitted segments (SYN, SYN-ACK, data, FIN).' },
  { name: 'segments.dropped_loss', unit: 'packets', doc: 'Packets lost to link loss (random or burst).' },
  { name: 'segments.dropped_queue', unit: 'packets', doc: 'Packets dropped by full link queues (drop-tail).' },
  { name: 'sim.events', unit: 'events', doc: "Simulator events processed (a measure of the run's cost)." },
  { name: 'sim.sim_s', unit: 's', doc: 'Simulated time the run reached.' },
];

export const TIMESERIES_METRICS: readonly MetricDoc[] = [
  { name: 'syn_queue', unit: 'entries', doc: "Half-open requests of a server node's listeners (summed), per sample." },
  { name: 'accept_queue', unit: 'connections', doc: 'Completed connections waiting for accept() on a server node.' },
  {
    name: 'tfo_queue',
    unit: 'connections',
    doc: 'Fast Open children still in SYN_RCVD on a server node whose listeners have a Fast Open queue (only there).',
  },
  {
    name: 'established',
    unit: 'connections',
    doc: 'ESTABLISHED connections on a host running an app (a group with several members is summed under its name).',
  },
  { name: 'time_wait', unit: 'sockets', doc: 'TIME-WAIT sockets on a host running an app (groups summed).' },
  {
    name: 'cwnd',
    unit: 'bytes',
    doc: "Congestion window (TCP_INFO cwnd, segments × MSS): of a bulk app's connection (node `bulk`, or `bulk1`, `bulk2`, ...), and per server node or group the mean over the connections its HTTP/1.x or h2 server app has open (0 when none).",
  },
];

/** Whether `name` (e.g. "handshake_ms.p90", "connect_errors.ETIMEDOUT") is documented. */
export function isDocumentedMetric(name: string): boolean {
  return RUN_METRICS.some((m) => {
    if (m.name === name) return true;
    const [prefix, tail] = [m.name.slice(0, m.name.lastIndexOf('.')), m.name.slice(m.name.lastIndexOf('.') + 1)];
    if (!name.startsWith(prefix + '.')) return false;
    const rest = name.slice(prefix.length + 1);
    if (tail === '<stat>') return (DISTRIBUTION_STATS as readonly string[]).includes(rest);
    return tail === '<errno>' && /^E[A-Z]+$/.test(rest);
  });
}
