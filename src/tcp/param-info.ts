/**
 * What an entry of the TCP parameter table is (param-table.ts): the kind of value a parameter
 * takes, its range, the Linux name it mirrors and its description, with the helpers entries are
 * written with and the unit a kind is shown in. Apart from the table so that the files holding
 * its entries (param-table.ts, param-table-listener.ts, param-table-buffers.ts) and its readers
 * (spec validation, docs/parameters.md) share one definition without importing each other.
 */
import { SEC } from '../sim/time.ts';
import type { TcpParams } from './params.ts';

export type ParamKind =
  | 'duration'
  | 'count'
  | 'bytes'
  | 'port'
  | 'bool'
  | 'hz'
  | { oneOf: readonly (string | boolean)[] };

export interface ParamInfo {
  kind: ParamKind;
  /** Inclusive range of a number (nanoseconds for durations); absent for booleans and choices. */
  min?: number;
  max?: number;
  /** 0 is allowed below `min` and means this (e.g. "off"). */
  zero?: string;
  /** A count that is a sum of these bits (a Linux flags sysctl): any other bit is refused. */
  bits?: readonly number[];
  /** The Linux sysctl or socket option it mirrors, or where Linux fixes the value. */
  linux: string;
  /** What it does, one or two sentences. */
  doc: string;
}

/** The longest timer most entries allow. */
export const DAY = 86_400 * SEC;
/** INT_MAX: Linux keeps counts and limits in a C int. */
export const INT_MAX = 2 ** 31 - 1;

/** A duration entry: its range in nanoseconds, and what 0 means when it is allowed below `min`. */
export const timer = (min: number, max: number, zero?: string) => ({
  kind: 'duration' as const,
  min,
  max,
  ...(zero === undefined ? {} : { zero }),
});
/** A true/false entry. */
export const flag = { kind: 'bool' as const };

/** TcpParams fields a spec may set: all but what the host stack derives itself. */
export type SpecParamKey = Exclude<keyof TcpParams, 'jiffiesOffset' | 'fastOpenKey'>;

/** The unit a parameter is written in, for messages and docs. */
export function unitOf(info: ParamInfo): string {
  const k = info.kind;
  if (typeof k === 'object') return 'choice';
  return { duration: 'duration', count: 'count', bytes: 'bytes', port: 'port', bool: 'true/false', hz: 'Hz' }[k];
}
