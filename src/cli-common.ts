/**
 * What the CLI's commands share: exit statuses, the usage-problem error, option readers and the
 * problem printer (src/cli.ts is the parser, src/cli-run.ts the run command).
 */
import { formatSpecError, type SpecError } from './experiment/errors.ts';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input found by the CLI itself (an option value, a missing folder): exit 2 with these lines. */
export class UsageProblem extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export function printProblems(errors: readonly SpecError[]): void {
  for (const e of errors) process.stderr.write(formatSpecError(e) + '\n');
}

/** A whole-number option, checked here so the message names the option rather than a file field. */
export function intOption(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    // yargs turns a non-number such as `--seed abc` into NaN.
    const got =
      typeof v === 'number' && Number.isNaN(v) ? 'something that is not a number' : (JSON.stringify(v) ?? String(v));
    throw new UsageProblem([`--${name}: expected a whole number ≥ ${min}, got ${got}`]);
  }
  return v;
}

export function asStrings(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
