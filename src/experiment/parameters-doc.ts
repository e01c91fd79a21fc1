/**
 * docs/parameters.md, rendered from the code: the TCP parameter table (src/tcp/param-table.ts)
 * with each profile's defaults (src/tcp/params.ts), the experiment-level settings, and the metric
 * names (src/metrics/metric-docs.ts). test/docs/parameters-doc.test.ts regenerates the file and
 * fails when the committed one differs, so the reference cannot go stale.
 */
import { PROFILES, type ProfileName, type TcpParams } from '../tcp/params.ts';
import { TCP_PARAM_TABLE } from '../tcp/param-table.ts';
import { unitOf, type ParamInfo, type SpecParamKey } from '../tcp/param-info.ts';
import { formatDuration } from '../sim/time.ts';
import { DISTRIBUTION_STATS, RUN_METRICS, TIMESERIES_METRICS, type MetricDoc } from '../metrics/metric-docs.ts';
import { MIN_SAMPLE_INTERVAL, SAMPLE_INTERVAL_DEFAULT } from './experiment-limits.ts';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function showValue(info: ParamInfo, v: unknown): string {
  if (info.kind === 'duration' && typeof v === 'number') return formatDuration(v);
  return String(v);
}

function allowed(info: ParamInfo): string {
  const k = info.kind;
  if (typeof k === 'object') return k.oneOf.map(String).join(', ');
  if (k === 'bool') return 'true, false';
  if (info.bits !== undefined) return `a sum of ${info.bits.join(', ')}`;
  const show = (n: number): string => (k === 'duration' ? formatDuration(n) : String(n));
  const range = `${show(info.min ?? 0)} … ${show(info.max ?? Number.MAX_SAFE_INTEGER)}`;
  return info.zero === undefined ? range : `${show(0)} (${info.zero}), or ${range}`;
}

function profileCell(key: SpecParamKey, profile: ProfileName): string {
  const v = PROFILES[profile][key];
  const text = showValue(TCP_PARAM_TABLE[key], v);
  return profile === 'rfc9293' && v !== PROFILES.linux[key] ? `**${text}**` : text;
}

function metricRows(list: readonly MetricDoc[]): string[] {
  return list.map((m) => `| \`${m.name}\` | ${cell(m.unit)} | ${cell(m.doc)} |`);
}

export function renderParametersDoc(): string {
  const lines: string[] = [
    '# Parameters and metrics',
    '',
    '<!-- Generated from src/tcp/param-table.ts, src/tcp/params.ts and src/metrics/metric-docs.ts by',
    '     test/docs/parameters-doc.test.ts (npx vitest run test/docs). Do not edit by hand. -->',
    '',
    '## TCP parameters (`tcp:`)',
    '',
    'Set them for every host under `tcp:`, for one node or group under `nodes.<name>.tcp:`, from the',
    'command line (`--set tcp.backlog=1024`) or in a sweep (`sweep: {tcp.synCookies: [false, true]}`).',
    '`profile` picks the defaults; the other keys override them. Durations need a unit (`200ms`, `3s`),',
    'sizes may be written `64KB`. A value outside its allowed range is refused (exit 2, naming the field).',
    'In the rfc9293 column, values that differ from linux are in bold.',
    '',
    '| Parameter | Kind | linux | rfc9293 | Allowed | Linux equivalent | What it does |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const key of Object.keys(TCP_PARAM_TABLE) as SpecParamKey[]) {
    const info = TCP_PARAM_TABLE[key];
    lines.push(
      `| \`${key}\` | ${cell(unitOf(info))} | ${cell(profileCell(key, 'linux'))} | ${cell(profileCell(key, 'rfc9293'))} | ${cell(allowed(info))} | ${cell(info.linux)} | ${cell(info.doc)} |`,
    );
  }
  lines.push(
    '',
    'Across parameters: minRto and initialRto must not exceed maxRto, delayedAckMin not delayedAckMax,',
    'ephemeralLow not ephemeralHigh (checked per node after merging `tcp:` and `nodes.<name>.tcp:`).',
    '',
    '## Experiment settings',
    '',
    '| Key | Default | Allowed | What it does |',
    '|---|---|---|---|',
    `| \`sampleInterval\` | ${formatDuration(SAMPLE_INTERVAL_DEFAULT)} | ${formatDuration(MIN_SAMPLE_INTERVAL)} or more | How often the time-series gauges below are sampled (at 0, one interval, two, … up to the run's duration). Short intervals make large timeseries.csv files: tcplab warns before a run when the estimate is large. |`,
    '',
    '## Metrics (`summary.json`, `metrics.csv`)',
    '',
    `One value per run; \`aggregate\` in summary.json adds mean, 95 % confidence half-width, min, max and n over seeds. \`<stat>\` is one of ${DISTRIBUTION_STATS.join(', ')} (percentiles nearest-rank, so each is a value that occurred; null when there were none).`,
    '',
    '| Metric | Unit | Meaning |',
    '|---|---|---|',
    ...metricRows(RUN_METRICS),
    '',
    '## Time-series metrics (`timeseries.csv`: `run,t_s,node,metric,value`)',
    '',
    'Sampled every `sampleInterval` of simulated time.',
    '',
    '| Metric | Unit | Meaning |',
    '|---|---|---|',
    ...metricRows(TIMESERIES_METRICS),
    '',
  );
  return lines.join('\n');
}
