/**
 * Failures of the batch runner and of `tcplab merge` that the CLI reports as one line each.
 * `exitCode` is the process status the CLI should use: 2 for bad input (shard folders that do not
 * belong together), 130/143 for a batch stopped by SIGINT/SIGTERM (128 + signal number).
 */

export const BatchErrorCode = {
  /** --shard out of range. */
  shard: 'shard',
  /** A folder given to merge holds no shard manifest. */
  notAShard: 'not_a_shard',
  /** Shard folders from different experiments, specs or shard counts. */
  mismatch: 'shard_mismatch',
  /** Some shard of the batch is not among the folders. */
  missingShard: 'missing_shard',
  /** A shard manifest lists a run whose stored record is missing or stale. */
  missingRun: 'missing_run',
  /** A shard manifest that is malformed or was changed (merge trusts nothing in a shared folder). */
  badManifest: 'bad_manifest',
  /** Two runs share an id. */
  duplicateRun: 'duplicate_run',
  interrupted: 'interrupted',
} as const;
export type BatchErrorCode = (typeof BatchErrorCode)[keyof typeof BatchErrorCode];

export class BatchError extends Error {
  constructor(
    readonly code: BatchErrorCode,
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}
