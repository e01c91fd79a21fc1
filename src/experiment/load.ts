/**
 * Loading experiment and topology files: read, parse YAML (syntax errors with line and column),
 * inline a topology referenced by path, apply `--set` overrides, validate, expand the sweep and
 * validate every point. Everything a user got wrong comes back as SpecError values, never thrown.
 *
 * Pipeline for an experiment:  file → YAML → inline topology → --set / --seed / --seeds →
 * validate (base spec) → for each sweep point: apply its values → validate → RunSpec[].
 */
import * as nodePath from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { findDuplicateKeys } from './duplicate-keys.ts';
import { timed } from './profile.ts';
import type { TopologyDef } from '../net/topology-def.ts';
import type { PointValues } from '../schema/results.ts';
import {
  formatPath,
  formatSpecError,
  Problems,
  SpecErrorCode,
  type PathSegments,
  type Problem,
  type Result,
  type SpecError,
} from './errors.ts';
import { isMap } from './spec-readers.ts';
import { findReservedKeys, reservedKeyMessage } from './safe-keys.ts';
import { readSpecFile, SpecFileError } from './spec-file.ts';
import { looksLikeTopology, readTopologySpec } from './topology-spec.ts';
import { looksLikeExperiment, validateExperiment } from './experiment-spec.ts';
import { checkParamPath, parsePath, sweepAxisSegments } from './param-paths.ts';
import { applyOverride, overrideAt, parseOverrides, type Override } from './overrides.ts';
import { buildRuns, countRuns, sweepPoints } from './sweep.ts';
import { isNamedAxis } from './sweep-spec.ts';
import type { ExperimentSpec, RunSpec } from './spec-types.ts';

/** Reads a file as UTF-8; throws like fs.readFileSync. Injectable for tests. */
export type FileReader = (file: string) => string;

export interface LoadOptions {
  /** `--set path=value` arguments, applied in order. */
  set?: readonly string[];
  /** `--seed N` / `--seeds N`: override the file's seed and seeds. */
  seed?: number;
  seeds?: number;
  readFile?: FileReader;
}

export interface LoadedExperiment {
  /** The experiment as loaded, after overrides and before any sweep point is applied. */
  spec: ExperimentSpec;
  /** The plain document after overrides, topology inlined: what summary.json records as `spec`. */
  raw: unknown;
  /** Every (sweep point, seed), in result order. */
  runs: RunSpec[];
}

/** Sweeps beyond this many runs are refused: almost surely a mistake, and each run is a simulation. */
export const MAX_RUNS = 100_000;

const defaultReader: FileReader = readSpecFile;

/** Syntax errors listed per file; past this the rest are counted (a binary file makes thousands). */
const MAX_YAML_ERRORS = 10;

/** Parses YAML text; syntax errors carry 1-based line and column. */
export function parseYaml(text: string, file: string): Result<unknown> {
  // merge: `<<: *anchor` merge keys, so shared link settings can be written once. uniqueKeys off:
  // the library's check is quadratic in a map's keys; findDuplicateKeys does it with one index.
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, merge: true, lineCounter: lines });
  if (doc.errors.some((e) => /call stack/i.test(e.message))) {
    return {
      ok: false,
      errors: [{ code: SpecErrorCode.yaml, file, path: '', message: 'YAML nested too deeply to read' }],
    };
  }
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, MAX_YAML_ERRORS);
    const more = doc.errors.length - shown.length;
    return {
      ok: false,
      errors: [
        ...shown.map((e) => ({
          code: SpecErrorCode.yaml,
          file,
          path: '',
          message: `YAML syntax error: ${e.message.split(/ at line \d+, column \d+/)[0]!.trim()}`,
          line: e.linePos?.[0]?.line ?? 1,
          col: e.linePos?.[0]?.col ?? 1,
        })),
        ...(more > 0
          ? [{ code: SpecErrorCode.yaml, file, path: '', message: `${more} more YAML syntax errors not shown` }]
          : []),
      ],
    };
  }
  const duplicates = findDuplicateKeys(doc, lines, MAX_YAML_ERRORS);
  if (duplicates.length > 0) {
    return {
      ok: false,
      errors: duplicates.map((d) => ({
        code: SpecErrorCode.duplicate,
        file,
        path: formatPath(d.path),
        line: d.line,
        col: d.col,
        message: `duplicate key: ${formatPath(d.path)} is already set at line ${d.firstLine}`,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return {
      ok: false,
      errors: [{ code: SpecErrorCode.yaml, file, path: '', message: `YAML error: ${(err as Error).message}` }],
    };
  }
  const reserved = findReservedKeys(value);
  if (reserved.length > 0) {
    return {
      ok: false,
      errors: reserved.map((at) => ({
        code: SpecErrorCode.unknownKey,
        file,
        path: formatPath(at),
        message: reservedKeyMessage(String(at[at.length - 1])),
      })),
    };
  }
  return { ok: true, value };
}

function readSource(file: string, read: FileReader, referredFrom?: { file: string; path: string }): Result<unknown> {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      err instanceof SpecFileError
        ? err.message
        : code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : code === 'EACCES'
              ? 'permission denied'
              : (err as Error).message;
    const error: SpecError =
      referredFrom === undefined
        ? { code: SpecErrorCode.file, file, path: '', message: `cannot read: ${why}` }
        : {
            code: SpecErrorCode.file,
            file: referredFrom.file,
            path: referredFrom.path,
            message: `cannot read ${file}: ${why}`,
          };
    return { ok: false, errors: [error] };
  }
  return parseYaml(text, file);
}

function baseName(file: string): string {
  return nodePath.basename(file, nodePath.extname(file));
}

/** The document being loaded, and where its topology came from (for relocating messages). */
interface DocState {
  doc: unknown;
  /** The topology file as displayed, when the topology came from one. */
  topologyFile?: string;
  /** The topology file could not be read or parsed (already reported): skip problems about it. */
  topologyFailed?: boolean;
}

class ExperimentLoader {
  private readonly topologyCache = new Map<string, Result<unknown>>();
  readonly errors: SpecError[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    private readonly read: FileReader,
  ) {}

  report(e: SpecError): void {
    const key = formatSpecError(e);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(e);
  }

  /** Replaces `topology: path.yaml` by the parsed file; `at` names the field for messages. */
  inlineTopology(state: DocState, at: string): DocState {
    const ref = isMap(state.doc) ? state.doc['topology'] : undefined;
    if (typeof ref !== 'string') return state;
    const shown = nodePath.isAbsolute(ref) ? ref : nodePath.normalize(nodePath.join(nodePath.dirname(this.file), ref));
    let loaded = this.topologyCache.get(shown);
    if (loaded === undefined) {
      loaded = readSource(shown, this.read, { file: this.file, path: at });
      this.topologyCache.set(shown, loaded);
    }
    if (!loaded.ok) {
      for (const e of loaded.errors) this.report(e);
      return { doc: state.doc, topologyFile: shown, topologyFailed: true };
    }
    if (!isMap(loaded.value)) {
      // Named, never quoted: the path may point at any file (`topology: /etc/passwd`).
      this.report({
        code: SpecErrorCode.type,
        file: this.file,
        path: at,
        message: `${shown} is not a topology file (its top level is not a map of keys)`,
      });
      return { doc: state.doc, topologyFile: shown, topologyFailed: true };
    }
    if (looksLikeExperiment(loaded.value) && !looksLikeTopology(loaded.value)) {
      this.report({
        code: SpecErrorCode.type,
        file: this.file,
        path: at,
        message: `${shown} is an experiment file, not a topology`,
      });
    }
    const doc =
      isMap(loaded.value) && loaded.value['name'] === undefined
        ? { name: baseName(shown), ...loaded.value }
        : loaded.value;
    return { doc: applyOverride(state.doc, ['topology'], doc), topologyFile: shown };
  }

  /** Applies one override after checking its path; a bad path is reported and the override skipped. */
  apply(state: DocState, o: Override, label: string): DocState {
    const segments = sweepAxisSegments(state.doc, o.segments);
    const problem = checkParamPath(state.doc, segments);
    if (problem !== undefined) {
      this.report({ code: SpecErrorCode.path, file: this.file, path: label, message: `no such parameter: ${problem}` });
      return state;
    }
    const next: DocState = { ...state, doc: applyOverride(state.doc, segments, o.value) };
    if (segments.length === 1 && segments[0] === 'topology') {
      // A new topology (inline or by path) replaces the file's: messages about it point here now.
      return typeof o.value === 'string' ? this.inlineTopology(next, label) : { doc: next.doc };
    }
    return next;
  }

  /** Validates one document; problems are relocated (topology file, sweep axis) and reported. */
  validate(state: DocState, point?: { values: PointValues; axes: Axis[] }): ExperimentSpec | undefined {
    const p = new Problems();
    const spec = validateExperiment(p, state.doc, { file: this.file, defaultName: baseName(this.file) });
    for (const problem of p.list) {
      if (state.topologyFailed && problem.path[0] === 'topology') continue;
      this.report(this.locate(problem, state, point));
    }
    return spec;
  }

  private locate(problem: Problem, state: DocState, point?: { values: PointValues; axes: Axis[] }): SpecError {
    const { code, path, message } = problem;
    if (point !== undefined) {
      // A problem inside a swept value is the sweep entry's fault: sweep["apps.flood.rate"][2],
      // or sweep.defence.cookies["tcp.synCookies"]. The deepest setting wins (a later axis may
      // refine what an earlier one set).
      let best: AxisSetting | undefined;
      for (const axis of point.axes) {
        for (const s of settingsAt(axis, point.values)) {
          if (
            s.segments.length <= path.length &&
            s.segments.every((seg, i) => seg === path[i]) &&
            (best === undefined || s.segments.length > best.segments.length)
          )
            best = s;
        }
      }
      if (best !== undefined && !(best.segments.length === 1 && best.segments[0] === 'topology')) {
        return { code, file: this.file, path: formatPath([...best.at, ...path.slice(best.segments.length)]), message };
      }
    }
    const base = this.place(code, path, message, state);
    if (point === undefined || this.seen.has(formatSpecError(base))) return base;
    const where = Object.entries(point.values)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    return { ...base, message: `${message} (at sweep point ${where})` };
  }

  private place(code: SpecError['code'], path: PathSegments, message: string, state: DocState): SpecError {
    if (state.topologyFile !== undefined && path[0] === 'topology') {
      return { code, file: state.topologyFile, path: formatPath(path.slice(1)), message };
    }
    return { code, file: this.file, path: formatPath(path), message };
  }
}

/** One path an axis value sets, and where the file says so (for messages). */
interface AxisSetting {
  segments: PathSegments;
  value: unknown;
  /** `['sweep', 'apps.flood.rate', 2]` or `['sweep', 'defence', 'cookies', 'tcp.synCookies']`. */
  at: PathSegments;
}

interface Axis {
  key: string;
  /** The values points carry: a path axis's values, a named axis's variant names. */
  values: unknown[];
  /** Per value, the settings it stands for: the path axis's one path, or a variant's overrides. */
  settings: AxisSetting[][];
}

function settingsAt(axis: Axis, values: PointValues): AxisSetting[] {
  return axis.settings[axis.values.indexOf(values[axis.key])] ?? [];
}

/** The sweep axes of a document when they are well-formed enough to expand (validation reports the rest). */
function sweepAxes(doc: unknown): Axis[] | undefined {
  const sweep = isMap(doc) ? doc['sweep'] : undefined;
  if (sweep === undefined) return [];
  if (!isMap(sweep)) return undefined;
  const axes: Axis[] = [];
  for (const [key, entry] of Object.entries(sweep)) {
    if (isNamedAxis(entry)) {
      const names = Object.keys(entry);
      if (names.length === 0) return undefined;
      const settings: AxisSetting[][] = [];
      for (const name of names) {
        const variant = entry[name] ?? {};
        if (!isMap(variant)) return undefined;
        const list: AxisSetting[] = [];
        for (const [path, value] of Object.entries(variant)) {
          const segments = parsePath(path);
          if (segments === undefined || checkParamPath(doc, segments) !== undefined) return undefined;
          list.push({ segments, value, at: ['sweep', key, name, path] });
        }
        settings.push(list);
      }
      axes.push({ key, values: names, settings });
      continue;
    }
    const segments = parsePath(key);
    if (
      segments === undefined ||
      !Array.isArray(entry) ||
      entry.length === 0 ||
      checkParamPath(doc, segments) !== undefined
    )
      return undefined;
    axes.push({ key, values: entry, settings: entry.map((value, i) => [{ segments, value, at: ['sweep', key, i] }]) });
  }
  return axes;
}

/** Loads, overrides, validates and expands an experiment given as text (the file name is for messages and relative paths). */
export function loadExperimentText(text: string, file: string, opts: LoadOptions = {}): Result<LoadedExperiment> {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  return loadExperimentDoc(parsed.value, file, opts);
}

export function loadExperiment(file: string, opts: LoadOptions = {}): Result<LoadedExperiment> {
  const parsed = timed('parse', () => readSource(file, opts.readFile ?? defaultReader));
  if (!parsed.ok) return parsed;
  return timed('validate', () => loadExperimentDoc(parsed.value, file, opts));
}

export function loadExperimentDoc(doc: unknown, file: string, opts: LoadOptions = {}): Result<LoadedExperiment> {
  const loader = new ExperimentLoader(file, opts.readFile ?? defaultReader);
  if (looksLikeTopology(doc)) {
    return {
      ok: false,
      errors: [
        {
          code: SpecErrorCode.type,
          file,
          path: '',
          message: 'this is a topology file; an experiment names it under topology:',
        },
      ],
    };
  }
  let state = loader.inlineTopology({ doc }, 'topology');

  const { overrides, errors } = parseOverrides(opts.set ?? [], file);
  errors.forEach((e) => loader.report(e));
  for (const o of overrides) state = loader.apply(state, o, `--set ${o.text}`);
  if (opts.seed !== undefined) state = loader.apply(state, overrideAt(['seed'], opts.seed), '--seed');
  if (opts.seeds !== undefined) state = loader.apply(state, overrideAt(['seeds'], opts.seeds), '--seeds');

  const spec = loader.validate(state);
  const axes = sweepAxes(state.doc);
  if (axes !== undefined) for (const e of sweptOverrides(state.doc, overrides, axes, file)) loader.report(e);
  let runs: RunSpec[] = [];
  if (axes !== undefined) {
    const seeds = spec?.seeds ?? 1;
    const total = countRuns(Object.fromEntries(axes.map((a) => [a.key, a.values])), seeds);
    if (total > MAX_RUNS) {
      loader.report({
        code: SpecErrorCode.range,
        file,
        path: 'sweep',
        message: `${total} runs (sweep points × seeds); the limit is ${MAX_RUNS}`,
      });
    } else if (axes.length > 0) {
      runs = timed('expand', () => expandPoints(loader, state, axes)) ?? [];
    } else if (spec !== undefined) {
      runs = buildRuns([{}], [spec]);
    }
  }
  if (loader.errors.length > 0 || spec === undefined) return { ok: false, errors: loader.errors };
  return { ok: true, value: { spec, raw: state.doc, runs } };
}

/**
 * A `--set` on a path that a sweep axis also sets would be overwritten at every sweep point, and
 * the stored spec would show a value no run used: an error naming both, unless the same command
 * line also sets that axis (`--set 'sweep.apps.flood.rate=[500/s]'`), which is how to pin it.
 */
function sweptOverrides(
  doc: unknown,
  overrides: readonly Override[],
  axes: readonly Axis[],
  file: string,
): SpecError[] {
  const setAxes = new Set<string>();
  for (const o of overrides) {
    const segments = sweepAxisSegments(doc, o.segments);
    if (segments[0] === 'sweep' && segments.length >= 2) setAxes.add(String(segments[1]));
  }
  const overlaps = (a: PathSegments, b: PathSegments): boolean => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
    return true;
  };
  const errors: SpecError[] = [];
  for (const o of overrides) {
    if (o.segments[0] === 'sweep') continue;
    for (const axis of axes) {
      if (setAxes.has(axis.key)) continue;
      const hit = axis.settings.flat().find((s) => overlaps(s.segments, o.segments));
      if (hit === undefined) continue;
      const named = hit.at.length === 4;
      const what = named
        ? `sweep axis "${axis.key}" (its variant "${String(hit.at[2])}" sets ${formatPath(hit.segments)})`
        : `sweep axis "${axis.key}"`;
      const fix = named
        ? `drop the --set, or set the axis too (e.g. --set 'sweep.${axis.key}.${String(hit.at[2])}.${formatPath(hit.segments)}=…')`
        : `set the axis instead: --set 'sweep.${axis.key}=[${o.text.slice(o.text.indexOf('=') + 1)}]'`;
      errors.push({
        code: SpecErrorCode.reference,
        file,
        path: `--set ${o.text}`,
        message: `${formatPath(o.segments)} is also set by ${what}, which would override it in ${named ? 'the runs of that variant' : 'every run'}; ${fix}`,
      });
      break;
    }
  }
  return errors;
}

/** Applies and validates every sweep point; the runs if all are valid. */
function expandPoints(loader: ExperimentLoader, base: DocState, axes: Axis[]): RunSpec[] | undefined {
  const points = sweepPoints(Object.fromEntries(axes.map((a) => [a.key, a.values])));
  const specs: ExperimentSpec[] = [];
  for (const values of points) {
    let state = base;
    for (const axis of axes) {
      for (const setting of settingsAt(axis, values))
        state = loader.apply(state, overrideAt(setting.segments, setting.value), formatPath(setting.at));
    }
    const spec = loader.validate(state, { values, axes });
    if (spec !== undefined) specs.push(spec);
  }
  return specs.length === points.length ? buildRuns(points, specs) : undefined;
}

/** Loads and validates a topology file (plain or generator form). */
export function loadTopology(file: string, opts: Pick<LoadOptions, 'readFile'> = {}): Result<TopologyDef> {
  const parsed = readSource(file, opts.readFile ?? defaultReader);
  if (!parsed.ok) return parsed;
  return readTopologyDoc(parsed.value, file);
}

function readTopologyDoc(doc: unknown, file: string): Result<TopologyDef> {
  const p = new Problems();
  const t = readTopologySpec(p, [], doc, baseName(file));
  if (t === undefined || p.count > 0)
    return {
      ok: false,
      errors: p.list.map((e) => ({ code: e.code, file, path: formatPath(e.path), message: e.message })),
    };
  return { ok: true, value: t.def };
}

/**
 * `--set` on a topology file: a topology is what an experiment holds under `topology:`, so the
 * overrides that start with `topology.` apply to it (`topology.links.0.latency=50ms`), checked as
 * on an experiment; the others set experiment parameters and do not concern it.
 */
function setTopology(doc: unknown, file: string, set: readonly string[]): Result<unknown> {
  const { overrides, errors } = parseOverrides(set, file);
  let wrapped: unknown = { topology: doc };
  for (const o of overrides) {
    if (o.segments[0] !== 'topology') continue;
    const problem =
      o.segments.length === 1
        ? 'a topology file cannot be replaced by --set topology=…'
        : checkParamPath(wrapped, o.segments);
    if (problem !== undefined)
      errors.push({
        code: SpecErrorCode.path,
        file,
        path: `--set ${o.text}`,
        message: `no such parameter: ${problem}`,
      });
    else wrapped = applyOverride(wrapped, o.segments, o.value);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: (wrapped as { topology: unknown }).topology };
}

export type ValidatedFile =
  | { kind: 'topology'; topology: TopologyDef }
  | { kind: 'experiment'; experiment: LoadedExperiment };

/** `tcplab validate`: a topology or an experiment file, told apart by its keys. */
export function validateFile(file: string, opts: LoadOptions = {}): Result<ValidatedFile> {
  const parsed = readSource(file, opts.readFile ?? defaultReader);
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  if (looksLikeTopology(doc)) {
    const set = setTopology(doc, file, opts.set ?? []);
    if (!set.ok) return set;
    const t = readTopologyDoc(set.value, file);
    return t.ok ? { ok: true, value: { kind: 'topology', topology: t.value } } : t;
  }
  if (isMap(doc) && !looksLikeExperiment(doc)) {
    return {
      ok: false,
      errors: [
        {
          code: SpecErrorCode.missing,
          file,
          path: '',
          message: 'neither a topology (nodes:, links:) nor an experiment (topology:, duration:, apps:)',
        },
      ],
    };
  }
  const e = loadExperimentDoc(doc, file, opts);
  return e.ok ? { ok: true, value: { kind: 'experiment', experiment: e.value } } : e;
}
