/** Loading helpers for the spec tests: inline YAML in, a spec or the rendered problem lines out. */
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperimentText, type LoadedExperiment, type LoadOptions } from '../../src/experiment/load.ts';

export const FILE = 'experiments/t.yaml';

export function load(yaml: string, opts: LoadOptions = {}): LoadedExperiment {
  const r = loadExperimentText(yaml, FILE, opts);
  if (!r.ok) throw new Error(`expected a valid spec, got:\n${r.errors.map(formatSpecError).join('\n')}`);
  return r.value;
}

/** The problems as the CLI prints them; throws if the spec is valid. */
export function problems(yaml: string, opts: LoadOptions = {}): string[] {
  const r = loadExperimentText(yaml, FILE, opts);
  if (r.ok) throw new Error('expected problems, the spec is valid');
  return r.errors.map(formatSpecError);
}

/** A two-host topology through one router, with a server, for specs that test something else. */
export const SMALL = `
topology:
  nodes: [{ name: client, count: 2 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 60s
`;
