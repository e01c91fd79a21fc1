/**
 * Limits on experiment-level settings (the `tcp:` parameters have theirs in src/tcp/param-table.ts).
 * Simulated time is integer nanoseconds in a JS number, exact to 2^53 ns (about 104 days); runs
 * are capped well below so that timers set near the end (up to a day, or TCP_USER_TIMEOUT's
 * 24.8 days) still land on exact instants.
 */
import { MS, SEC, US } from '../sim/time.ts';

export const MAX_DURATION = 30 * 86_400 * SEC;
export const SAMPLE_INTERVAL_DEFAULT = 100 * MS;
/** The time series is sampled by one event per interval: below a microsecond it is all the run does. */
export const MIN_SAMPLE_INTERVAL = 1 * US;
