/** What a script's system call returned, and a try at finishing one that may block. */

/** A value, or -1 with an errno. */
export interface Outcome {
  ret: number;
  errno: string | null;
}

/** A try at finishing a call: an outcome, or null to keep waiting. */
export type Attempt = () => Outcome | null;

export const OK = (ret: number): Outcome => ({ ret, errno: null });
export const ERR = (errno: string): Outcome => ({ ret: -1, errno });
