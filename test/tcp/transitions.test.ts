/**
 * Every RFC 9293 state transition of a connection (figure 5 and section 3.10), one packet trace
 * each: a fixture puts the connection in the `from` state, one peer segment, user call or timer
 * moves it, and the test checks the exact segments we sent, the state records and the socket
 * events. LISTEN and a listener's SYN-RECEIVED live in listener.test.ts (the listener keeps
 * half-open requests itself); the simultaneous-open SYN-RECEIVED of a connection is here.
 */
import { describe, expect, test } from 'vitest';
import { TcpState } from '../../src/tcp/api.ts';
import { SegmentVerdict } from '../../src/tcp/connection.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { activeEstablished, passiveEstablished, synSent, type OpenOptions, type Trace } from './harness.ts';

/** SYN_RCVD by a simultaneous open: our SYN is out, the peer's bare SYN crossed it. */
function synRcvd(o: OpenOptions = {}): Trace {
  const t = synSent(o);
  t.at(10 * MS);
  expect(t.in('S 0:0(0) win 65535 <mss 1000>')).toEqual(['S. 0:0(0) ack 1']);
  t.rec.takeStates();
  return t;
}

function finWait1(o: OpenOptions = {}): Trace {
  const t = activeEstablished(o);
  t.c.close(t.now);
  expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
  t.rec.takeStates();
  return t;
}

function finWait2(o: OpenOptions = {}): Trace {
  const t = finWait1(o);
  t.in('. 1:1(0) ack 2 win 65535');
  t.rec.takeStates();
  return t;
}

function closeWait(o: OpenOptions = {}): Trace {
  const t = activeEstablished(o);
  expect(t.in('F. 1:1(0) ack 1 win 65535')).toEqual(['. 1:1(0) ack 2']);
  t.rec.takeStates();
  t.rec.takeEvents();
  return t;
}

function closing(o: OpenOptions = {}): Trace {
  const t = finWait1(o);
  expect(t.in('F. 1:1(0) ack 1 win 65535')).toEqual(['. 2:2(0) ack 2']);
  t.rec.takeStates();
  return t;
}

function lastAck(o: OpenOptions = {}): Trace {
  const t = closeWait(o);
  t.c.close(t.now);
  expect(t.sent()).toEqual(['F. 1:1(0) ack 2']);
  t.rec.takeStates();
  return t;
}

function timeWait(o: OpenOptions = {}): Trace {
  const t = finWait2(o);
  expect(t.in('F. 1:1(0) ack 2 win 65535')).toEqual(['. 2:2(0) ack 2']);
  t.rec.takeStates();
  return t;
}

interface Case {
  /** What moves the connection. */
  on: string;
  fixture: () => Trace;
  act: (t: Trace) => string[];
  sent: string[];
  states: string[];
  events?: string[];
}

const CASES: Record<string, Case[]> = {
  'CLOSED → SYN_SENT': [
    {
      on: 'connect()',
      fixture: () => {
        const t = synSent();
        t.rec.take();
        return t;
      },
      act: () => [],
      sent: [],
      states: [],
    },
  ],
  'SYN_SENT → ESTABLISHED': [
    {
      on: 'SYN-ACK',
      fixture: synSent,
      act: (t) => t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>'),
      sent: ['. 1:1(0) ack 1'],
      states: ['SYN_SENT>ESTABLISHED'],
      events: ['CONNECTED'],
    },
  ],
  'SYN_SENT → SYN_RCVD': [
    {
      on: 'a crossed SYN (simultaneous open)',
      fixture: synSent,
      act: (t) => t.in('S 0:0(0) win 65535 <mss 1000>'),
      sent: ['S. 0:0(0) ack 1'],
      states: ['SYN_SENT>SYN_RCVD'],
      events: [],
    },
  ],
  'SYN_SENT → CLOSED': [
    {
      on: 'RST with an acceptable ACK',
      fixture: synSent,
      act: (t) => t.in('R. 0:0(0) ack 1 win 0'),
      sent: [],
      states: ['SYN_SENT>CLOSED'],
      events: ['ERROR:ECONNREFUSED', 'FREED'],
    },
    {
      on: 'close()',
      fixture: synSent,
      act: (t) => {
        t.c.close(t.now);
        return t.sent();
      },
      sent: [],
      states: ['SYN_SENT>CLOSED'],
      events: ['FREED'],
    },
    {
      on: 'shutdown() of a connecting socket (Linux inet_shutdown: disconnect)',
      fixture: synSent,
      act: (t) => {
        t.c.shutdown('rd', t.now);
        return t.sent();
      },
      sent: [],
      states: ['SYN_SENT>CLOSED'],
      events: ['ERROR:ECONNRESET', 'FREED'],
    },
    {
      on: 'the last SYN timeout (131 s)',
      fixture: synSent,
      act: (t) => t.runTimers(131 * SEC).slice(-1),
      sent: ['67000 S 0:0(0)'],
      states: ['SYN_SENT>CLOSED'],
      events: ['ERROR:ETIMEDOUT', 'FREED'],
    },
  ],
  'SYN_RCVD → ESTABLISHED': [
    {
      on: 'the ACK of our SYN',
      fixture: synRcvd,
      act: (t) => t.in('. 1:1(0) ack 1 win 65535'),
      sent: [],
      states: ['SYN_RCVD>ESTABLISHED'],
      events: ['CONNECTED'],
    },
    {
      on: "the peer's SYN-ACK (crossed), acknowledged",
      fixture: synRcvd,
      act: (t) => t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>'),
      sent: ['. 1:1(0) ack 1'],
      states: ['SYN_RCVD>ESTABLISHED'],
      events: ['CONNECTED'],
    },
    {
      on: 'an ACK carrying data (data on the third ACK)',
      fixture: synRcvd,
      act: (t) => t.in('P. 1:101(100) ack 1 win 65535'),
      sent: ['. 1:1(0) ack 101'],
      states: ['SYN_RCVD>ESTABLISHED'],
      events: ['CONNECTED', 'READABLE'],
    },
  ],
  'SYN_RCVD → FIN_WAIT_1': [
    {
      on: 'close()',
      fixture: synRcvd,
      act: (t) => {
        t.c.close(t.now);
        return t.sent();
      },
      sent: ['F. 1:1(0) ack 1'],
      states: ['SYN_RCVD>FIN_WAIT_1'],
      events: [],
    },
  ],
  'SYN_RCVD → CLOSED': [
    {
      on: 'RST at RCV.NXT',
      fixture: synRcvd,
      act: (t) => t.in('R 1:1(0) win 0'),
      sent: [],
      states: ['SYN_RCVD>CLOSED'],
      events: ['ERROR:ECONNRESET', 'FREED'],
    },
    {
      on: 'the last SYN-ACK timeout: 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s (tcp_syn_retries 6, no linear timeouts)',
      fixture: synRcvd,
      act: (t) => t.runTimers(127 * SEC).map((l) => l.split(' ')[0]!),
      sent: ['1000', '3000', '7000', '15000', '31000', '63000'],
      states: ['SYN_RCVD>CLOSED'],
      events: ['ERROR:ETIMEDOUT', 'FREED'],
    },
  ],
  'ESTABLISHED → FIN_WAIT_1': [
    {
      on: 'close()',
      fixture: activeEstablished,
      act: (t) => {
        t.c.close(t.now);
        return t.sent();
      },
      sent: ['F. 1:1(0) ack 1'],
      states: ['ESTABLISHED>FIN_WAIT_1'],
      events: [],
    },
    {
      on: 'shutdown(wr)',
      fixture: activeEstablished,
      act: (t) => {
        t.c.shutdown('wr', t.now);
        return t.sent();
      },
      sent: ['F. 1:1(0) ack 1'],
      states: ['ESTABLISHED>FIN_WAIT_1'],
      events: [],
    },
  ],
  'ESTABLISHED → CLOSE_WAIT': [
    {
      on: "the peer's FIN",
      fixture: activeEstablished,
      act: (t) => t.in('F. 1:1(0) ack 1 win 65535'),
      sent: ['. 1:1(0) ack 2'],
      states: ['ESTABLISHED>CLOSE_WAIT'],
      events: ['READABLE'],
    },
  ],
  'ESTABLISHED → CLOSED': [
    {
      on: 'RST at RCV.NXT',
      fixture: activeEstablished,
      act: (t) => t.in('R. 1:1(0) ack 1 win 0'),
      sent: [],
      states: ['ESTABLISHED>CLOSED'],
      events: ['ERROR:ECONNRESET', 'FREED'],
    },
    {
      on: 'close() with unread data: RST (RFC 2525 2.17)',
      fixture: activeEstablished,
      act: (t) => {
        t.in('P. 1:11(10) ack 1 win 65535');
        t.c.close(t.now);
        return t.sent();
      },
      sent: ['R. 1:1(0) ack 11'],
      states: ['ESTABLISHED>CLOSED'],
      events: ['READABLE', 'FREED'],
    },
    {
      on: 'abort()',
      fixture: activeEstablished,
      act: (t) => {
        t.c.abort(t.now);
        return t.sent();
      },
      sent: ['R. 1:1(0) ack 1'],
      states: ['ESTABLISHED>CLOSED'],
      events: ['FREED'],
    },
  ],
  'FIN_WAIT_1 → FIN_WAIT_2': [
    {
      on: 'the ACK of our FIN',
      fixture: finWait1,
      act: (t) => t.in('. 1:1(0) ack 2 win 65535'),
      sent: [],
      states: ['FIN_WAIT_1>FIN_WAIT_2'],
    },
  ],
  'FIN_WAIT_1 → CLOSING': [
    {
      on: "the peer's FIN, ours not yet acknowledged (simultaneous close)",
      fixture: finWait1,
      act: (t) => t.in('F. 1:1(0) ack 1 win 65535'),
      sent: ['. 2:2(0) ack 2'],
      states: ['FIN_WAIT_1>CLOSING'],
    },
  ],
  'FIN_WAIT_1 → TIME_WAIT': [
    // the ACK step first (FIN-WAIT-2), then the FIN (RFC 9293 3.10.7.4; Linux tcp_rcv_state_process, tcp_fin)
    {
      on: 'a FIN that also acknowledges ours, by way of FIN_WAIT_2',
      fixture: finWait1,
      act: (t) => t.in('F. 1:1(0) ack 2 win 65535'),
      sent: ['. 2:2(0) ack 2'],
      states: ['FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>TIME_WAIT'],
    },
  ],
  'FIN_WAIT_1 → CLOSED': [
    {
      on: 'data after close(): RST',
      fixture: finWait1,
      act: (t) => t.in('P. 1:11(10) ack 1 win 65535'),
      sent: ['R 1:1(0)'],
      states: ['FIN_WAIT_1>CLOSED'],
      events: ['FREED'],
    },
    {
      on: 'RST at RCV.NXT',
      fixture: finWait1,
      act: (t) => t.in('R 1:1(0) win 0'),
      sent: [],
      states: ['FIN_WAIT_1>CLOSED'],
      events: ['FREED'],
    },
  ],
  'FIN_WAIT_2 → TIME_WAIT': [
    {
      on: "the peer's FIN",
      fixture: finWait2,
      act: (t) => t.in('F. 1:1(0) ack 2 win 65535'),
      sent: ['. 2:2(0) ack 2'],
      states: ['FIN_WAIT_2>TIME_WAIT'],
    },
  ],
  'FIN_WAIT_2 → CLOSED': [
    {
      on: 'the FIN_WAIT_2 timeout of a closed socket (60 s)',
      fixture: finWait2,
      act: (t) => t.runTimers(t.now + 60 * SEC),
      sent: [],
      states: ['FIN_WAIT_2>CLOSED'],
      events: ['FREED'],
    },
  ],
  'CLOSE_WAIT → LAST_ACK': [
    {
      on: 'close()',
      fixture: closeWait,
      act: (t) => {
        t.c.close(t.now);
        return t.sent();
      },
      sent: ['F. 1:1(0) ack 2'],
      states: ['CLOSE_WAIT>LAST_ACK'],
      events: [],
    },
  ],
  'CLOSE_WAIT → CLOSED': [
    {
      on: 'RST at RCV.NXT (Linux: EPIPE)',
      fixture: closeWait,
      act: (t) => t.in('R. 2:2(0) ack 1 win 0'),
      sent: [],
      states: ['CLOSE_WAIT>CLOSED'],
      events: ['ERROR:EPIPE', 'FREED'],
    },
  ],
  'CLOSING → TIME_WAIT': [
    {
      on: 'the ACK of our FIN',
      fixture: closing,
      act: (t) => t.in('. 2:2(0) ack 2 win 65535'),
      sent: [],
      states: ['CLOSING>TIME_WAIT'],
    },
  ],
  'CLOSING → CLOSED': [
    {
      on: 'RST at RCV.NXT − 1 (Linux tcp_reset_check)',
      fixture: closing,
      act: (t) => t.in('R 1:1(0) win 0'),
      sent: [],
      states: ['CLOSING>CLOSED'],
      events: ['FREED'],
    },
  ],
  'LAST_ACK → CLOSED': [
    {
      on: 'the ACK of our FIN',
      fixture: lastAck,
      act: (t) => t.in('. 2:2(0) ack 2 win 65535'),
      sent: [],
      states: ['LAST_ACK>CLOSED'],
      events: ['FREED'],
    },
    {
      on: 'RST at RCV.NXT',
      fixture: lastAck,
      act: (t) => t.in('R 2:2(0) win 0'),
      sent: [],
      states: ['LAST_ACK>CLOSED'],
      events: ['FREED'],
    },
  ],
  'TIME_WAIT → CLOSED': [
    {
      on: 'the 60 s timer',
      fixture: timeWait,
      act: (t) => t.runTimers(t.now + 60 * SEC),
      sent: [],
      states: ['TIME_WAIT>CLOSED'],
      events: ['FREED'],
    },
    {
      on: 'an exact RST (tcp_rfc1337 0)',
      fixture: timeWait,
      act: (t) => t.in('R 2:2(0) win 0'),
      sent: [],
      states: ['TIME_WAIT>CLOSED'],
      events: ['FREED'],
    },
    {
      on: 'a new SYN above RCV.NXT (reopened)',
      fixture: timeWait,
      act: (t) => {
        const r = t.inVerdict('S 5000:5000(0) win 65535');
        expect(r.verdict).toBe(SegmentVerdict.REOPEN);
        return r.out;
      },
      sent: [],
      states: ['TIME_WAIT>CLOSED'],
      events: ['FREED'],
    },
  ],
};

describe('every transition, as a packet trace', () => {
  for (const [edge, cases] of Object.entries(CASES)) {
    describe(edge, () => {
      for (const k of cases) {
        test(k.on, () => {
          const t = k.fixture();
          t.rec.takeStates();
          t.rec.takeEvents();
          t.rec.take();
          expect(k.act(t)).toEqual(k.sent);
          expect(t.rec.takeStates()).toEqual(k.states);
          if (k.events !== undefined) expect(t.rec.takeEvents()).toEqual(k.events);
          const to = edge.split(' → ')[1]!;
          if (k.states.length > 0) expect(t.c.state).toBe(TcpState[to as keyof typeof TcpState]);
        });
      }
    });
  }

  test('all eleven states are reached by a connection or a listener', () => {
    const reached = new Set<string>(['LISTEN']); // listener.test.ts
    for (const edge of Object.keys(CASES)) for (const s of edge.split(' → ')) reached.add(s);
    expect([...reached].sort()).toEqual([
      'CLOSED',
      'CLOSE_WAIT',
      'CLOSING',
      'ESTABLISHED',
      'FIN_WAIT_1',
      'FIN_WAIT_2',
      'LAST_ACK',
      'LISTEN',
      'SYN_RCVD',
      'SYN_SENT',
      'TIME_WAIT',
    ]);
  });
});
