/**
 * `steps:` of a `script` app: a timeline of socket calls on one host, for textbook scenarios
 * (simultaneous open, half-close, close with unread data, keepalive):
 *
 *   steps: [ {at: 0s, connect: "server:80", localPort: 40000}, {at: 100ms, send: 500},
 *            {at: 1s, shutdown: wr}, {at: 2s, close: true} ]
 *
 * Each step is `at` plus exactly one action, plus that action's own options (listen's backlog,
 * connect's localPort and reuseAddr). Steps run in list order, so their times may not go backwards; calls that
 * need a connection (send, read, shutdown, close) need a connect or accept step before them, and
 * accept needs a listen.
 */
import { TCP_PARAM_TABLE } from '../tcp/param-table.ts';
import type { SpecParamKey } from '../tcp/param-info.ts';
import { formatDuration, type Nanos } from '../sim/time.ts';
import type { TcpParams } from '../tcp/params.ts';
import { describeValue, didYouMean, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { readBool, readBytes, readDuration, readInt, readList, readMap, readOneOf } from './spec-readers.ts';
import { SCRIPT_STEP_OPS } from '../schema/trace.ts';
import { readTcpField, TCP_KEYS } from './tcp-spec.ts';
import type { Endpoint, ScriptOp, ScriptStep, ShutdownHow, SocketOptionName, SocketOptions } from './spec-types.ts';

export const STEP_OPS: readonly ScriptOp[] = SCRIPT_STEP_OPS;
/** Options that belong to one action. */
const STEP_OPTIONS: Partial<Record<ScriptOp, readonly string[]>> = {
  listen: ['backlog'],
  connect: ['localPort', 'reuseAddr'],
};
export const STEP_KEYS: readonly string[] = ['at', 'description', ...STEP_OPS, 'backlog', 'localPort', 'reuseAddr'];
const SHUTDOWN: readonly ShutdownHow[] = ['rd', 'wr', 'rdwr'];

/**
 * What setsockopt() can change on one socket, as on Linux: SO_KEEPALIVE, TCP_KEEPIDLE,
 * TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, TCP_NODELAY (nagle: false), TCP_QUICKACK
 * (delayedAck: false), SO_SNDBUF, SO_RCVBUF, TCP_MAXSEG, TCP_SYNCNT, TCP_LINGER2, and before the
 * socket exists TCP_FASTOPEN_CONNECT (before connect) and TCP_FASTOPEN (before listen: the Fast
 * Open queue). The rest of TcpParams are host-wide sysctls.
 */
export const SOCKET_OPTIONS: readonly SocketOptionName[] = [
  'keepalive',
  'keepaliveIdle',
  'keepaliveInterval',
  'keepaliveProbes',
  'userTimeout',
  'nagle',
  'delayedAck',
  'sndBuf',
  'rcvBuf',
  'mss',
  'synRetries',
  'finWait2Timeout',
  'fastOpenConnect',
  'fastOpenQueue',
];

export interface StepContext {
  /** The experiment duration when valid: every step must come before the end. */
  duration: Nanos | undefined;
  /** Reads a `"node:port"` target the app's hosts can reach; records a problem and returns undefined otherwise. */
  readTarget(path: PathSegments, v: unknown): Endpoint | undefined;
}

export function readSteps(p: Problems, path: PathSegments, v: unknown, ctx: StepContext): ScriptStep[] | undefined {
  const list = readList(p, path, v);
  if (list === undefined) return undefined;
  const before = p.count;
  if (list.length === 0)
    p.add(SpecErrorCode.range, path, 'a script needs at least one step, like {at: 0s, connect: "server:80"}');
  const steps: ScriptStep[] = [];
  const seq: SequenceState = { lastAt: 0, lastAtIndex: -1, listening: new Map(), connection: false };
  list.forEach((entry, i) => {
    const step = readStep(p, [...path, i], entry, ctx, seq);
    if (step !== undefined) steps.push(step);
  });
  return p.count === before ? steps : undefined;
}

/** What the steps so far have set up, for the ordering rules. */
interface SequenceState {
  lastAt: Nanos;
  lastAtIndex: number;
  /** Port → the step index that listens on it. */
  listening: Map<number, number>;
  /** A connect or accept step came before. */
  connection: boolean;
}

function readStep(
  p: Problems,
  path: PathSegments,
  v: unknown,
  ctx: StepContext,
  seq: SequenceState,
): ScriptStep | undefined {
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  const ops = STEP_OPS.filter((op) => obj[op] !== undefined);
  if (ops.length > 1) {
    p.add(
      SpecErrorCode.type,
      path,
      `one action per step, found ${ops.join(' and ')}: give each its own step (they may share an "at")`,
    );
  } else if (ops.length === 0) {
    p.add(SpecErrorCode.missing, path, `a step needs an action: one of ${STEP_OPS.join(', ')}`);
  }
  const op = ops.length === 1 ? ops[0]! : undefined;
  checkStepKeys(p, path, obj, op);
  const at = readAt(p, path, obj, ctx, seq);
  if (op === undefined) return undefined;

  const vat: PathSegments = [...path, op];
  const value = obj[op];
  let step: ScriptStep | undefined;
  switch (op) {
    case 'listen': {
      const port = readInt(p, vat, value, 1, 65535);
      const backlog =
        obj['backlog'] === undefined
          ? undefined
          : readInt(p, [...path, 'backlog'], obj['backlog'], 0, TCP_PARAM_TABLE.backlog.max);
      if (port !== undefined) {
        const prev = seq.listening.get(port);
        if (prev !== undefined) p.add(SpecErrorCode.duplicate, vat, `step ${prev} already listens on port ${port}`);
        seq.listening.set(port, path[path.length - 1] as number);
        step = { at: at!, op, port };
        if (backlog !== undefined) step.backlog = backlog;
      }
      break;
    }
    case 'accept':
      if (readTrue(p, vat, value, 'accept: true')) step = { at: at!, op };
      if (seq.listening.size === 0) p.add(SpecErrorCode.reference, vat, 'accept needs a listen step before it');
      seq.connection = true;
      break;
    case 'connect': {
      const target = ctx.readTarget(vat, value);
      const localPort =
        obj['localPort'] === undefined ? undefined : readInt(p, [...path, 'localPort'], obj['localPort'], 1, 65535);
      if (localPort !== undefined && seq.listening.has(localPort)) {
        p.add(
          SpecErrorCode.reference,
          [...path, 'localPort'],
          `port ${localPort} is this script's listening port (step ${seq.listening.get(localPort)}); connect would fail with EADDRINUSE`,
        );
      }
      const reuseAddr =
        obj['reuseAddr'] === undefined ? undefined : readBool(p, [...path, 'reuseAddr'], obj['reuseAddr']);
      if (target !== undefined) {
        step = { at: at!, op, target };
        if (localPort !== undefined) step.localPort = localPort;
        if (reuseAddr === true) step.reuseAddr = true;
      }
      seq.connection = true;
      break;
    }
    case 'send': {
      const bytes = readBytes(p, vat, value);
      if (bytes === 0) p.add(SpecErrorCode.range, vat, 'send at least 1 byte');
      else if (bytes !== undefined) step = { at: at!, op, bytes };
      break;
    }
    case 'read':
      if (value === true) step = { at: at!, op };
      else {
        const bytes = value === false ? undefined : readBytes(p, vat, value);
        if (value === false || bytes === 0)
          p.add(
            SpecErrorCode.range,
            vat,
            'read: true reads what is there; a number reads at most that many bytes (at least 1)',
          );
        else if (bytes !== undefined) step = { at: at!, op, bytes };
      }
      break;
    case 'shutdown': {
      const how = readOneOf(p, vat, value, SHUTDOWN);
      if (how !== undefined) step = { at: at!, op, how };
      break;
    }
    case 'close':
      if (readTrue(p, vat, value, 'close: true')) step = { at: at!, op };
      break;
    case 'linger0': {
      const on = readBool(p, vat, value);
      if (on !== undefined) step = { at: at!, op, on };
      break;
    }
    case 'setsockopt': {
      const options = readSocketOptions(p, vat, value);
      if (options !== undefined) step = { at: at!, op, options };
      break;
    }
  }
  if ((op === 'send' || op === 'read' || op === 'shutdown' || op === 'close') && !seq.connection) {
    p.add(SpecErrorCode.reference, vat, `${op} needs a connection: a connect or accept step before it`);
  }
  return p.count === before ? step : undefined;
}

/** Unknown keys, and options written on a step whose action does not take them. */
function checkStepKeys(p: Problems, path: PathSegments, obj: Record<string, unknown>, op: ScriptOp | undefined): void {
  const own = op === undefined ? [] : (STEP_OPTIONS[op] ?? []);
  for (const key of Object.keys(obj)) {
    if (key === 'at' || key === 'description' || (STEP_OPS as readonly string[]).includes(key) || own.includes(key))
      continue;
    const owner = STEP_OPS.find((o) => STEP_OPTIONS[o]?.includes(key));
    if (owner !== undefined) {
      if (op !== undefined)
        p.add(SpecErrorCode.unknownKey, [...path, key], `${key} belongs to a ${owner} step, not a ${op} step`);
      continue;
    }
    p.add(SpecErrorCode.unknownKey, [...path, key], `unknown key${didYouMean(key, STEP_KEYS)}`);
  }
}

/** `at`: required, before the end of the experiment, not before the previous step. */
function readAt(
  p: Problems,
  path: PathSegments,
  obj: Record<string, unknown>,
  ctx: StepContext,
  seq: SequenceState,
): Nanos | undefined {
  const at: PathSegments = [...path, 'at'];
  if (obj['at'] === undefined) {
    p.add(SpecErrorCode.missing, at, 'missing (when the call is made, e.g. 100ms)');
    return undefined;
  }
  const t = readDuration(p, at, obj['at']);
  if (t === undefined) return undefined;
  if (ctx.duration !== undefined && t >= ctx.duration && t > 0) {
    p.add(
      SpecErrorCode.range,
      at,
      `at ${formatDuration(t)} is after the experiment ends (duration ${formatDuration(ctx.duration)})`,
    );
  } else if (t < seq.lastAt) {
    p.add(
      SpecErrorCode.range,
      at,
      `at ${formatDuration(t)} comes before step ${seq.lastAtIndex} (${formatDuration(seq.lastAt)}): steps run in list order`,
    );
  }
  if (t >= seq.lastAt) {
    seq.lastAt = t;
    seq.lastAtIndex = path[path.length - 1] as number;
  }
  return t;
}

function readTrue(p: Problems, path: PathSegments, v: unknown, written: string): boolean {
  if (v === true) return true;
  p.add(SpecErrorCode.type, path, `write ${written}, got ${describeValue(v)}`);
  return false;
}

/** `setsockopt: { keepalive: true, keepaliveIdle: 5s }`: socket options by their TcpParams names. */
function readSocketOptions(p: Problems, path: PathSegments, v: unknown): SocketOptions | undefined {
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  if (Object.keys(obj).length === 0)
    p.add(SpecErrorCode.range, path, `set at least one option (${SOCKET_OPTIONS.join(', ')})`);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(obj)) {
    const at = [...path, key];
    if (!(SOCKET_OPTIONS as readonly string[]).includes(key)) {
      const why = (TCP_KEYS as readonly string[]).includes(key)
        ? `${key} is a host setting, not a socket option: set it under tcp: or nodes.<node>.tcp`
        : `unknown socket option${didYouMean(key, SOCKET_OPTIONS)} (options: ${SOCKET_OPTIONS.join(', ')})`;
      p.add(SpecErrorCode.unknownKey, at, why);
      continue;
    }
    const value = readTcpField(p, at, key as SpecParamKey, raw);
    if (value !== undefined) out[key] = value;
  }
  return p.count === before ? (out as SocketOptions) : undefined;
}
