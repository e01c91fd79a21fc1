/**
 * Words for the names an experiment file uses: sweep paths and axis names ("apps.flood.rate",
 * "http") and the named variants of the flagship experiments' axes ("http1-0", "short-timer"),
 * so that legends and axes say "HTTP/1.0" and "short SYN-RECEIVED timer", never a YAML key.
 * Names not listed here are spelled out by rule (labels.ts): camelCase and hyphens become words.
 */

/** Sweep paths and axis names, as an axis title or legend heading. */
export const PARAM_LABELS: Readonly<Record<string, string>> = {
  'topology.latency': 'Link latency',
  'topology.loss': 'Packet loss per link',
  'topology.bandwidth': 'Link bandwidth',
  'apps.flood.rate': 'SYN flood rate',
  'apps.users.rate': 'Request rate',
  'apps.users.closer': 'Side that closes first',
  'apps.web.backlog': 'Listen backlog',
  'tcp.profile': 'TCP profile',
  'tcp.synCookies': 'SYN cookies',
  'tcp.synRecvTimeout': 'SYN-RECEIVED timeout',
  'tcp.backlog': 'Listen backlog',
  http: 'HTTP version',
  tfo: 'TCP Fast Open',
  defence: 'Defence',
  close: 'Connection closing',
  scenario: 'Scenario',
  congestion: 'Congestion control',
};

/** Named variants of sweep axes, per axis name. */
export const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  http: {
    'http1-0': 'HTTP/1.0',
    parallel: 'HTTP/1.1 ×6 connections',
    keepalive: 'keep-alive',
    pipelined: 'pipelining',
    h2: 'HTTP/2',
    'http1-0-tfo': 'HTTP/1.0 + Fast Open',
  },
  defence: {
    none: 'no defence',
    cookies: 'SYN cookies',
    backlog: 'larger backlog (1024)',
    'short-timer': 'short SYN-RECEIVED timer',
    recycle: 'recycle oldest half-open',
    cache: 'SYN cache',
    hybrid: 'SYN cache + SYN cookies',
    'fast-open': 'Fast Open with cookies, flood SYNs carry data',
    'fast-open-no-cookie': 'Fast Open without cookies, flood SYNs carry data',
  },
  tfo: {
    off: 'no Fast Open',
    'first-visit': 'Fast Open, first visit (cookie request)',
    'repeat-visit': 'Fast Open, repeat visit (request in the SYN)',
  },
  close: {
    'client-closes': 'client closes first',
    'server-closes': 'server closes first',
    keepalive: 'keep-alive (one connection)',
  },
  congestion: {
    cubic: 'CUBIC',
    reno: 'NewReno',
  },
  scenario: {
    normal: 'normal open and close',
    'simultaneous-open': 'simultaneous open',
    'simultaneous-close': 'simultaneous close',
    'lost-syn': 'lost SYN',
    'lost-synack': 'lost SYN-ACK',
    'lost-third-ack': 'lost handshake ACK',
    'lost-last-ack': 'lost last ACK',
    'half-close': 'half-close',
    keepalive: 'keepalive probes',
  },
};

/** Values of these parameter-path endings are fractions shown as percentages. */
export const PERCENT_PARAMS: readonly string[] = ['loss'];
