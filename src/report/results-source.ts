/**
 * Where the report reads a results folder from: the files on disk (folder-source.ts) or, in the
 * browser playground, files held in memory. The report's readers only need whole small files
 * (summary.json) and the lines of large ones (CSV, trace.jsonl), read once, in order.
 */
export interface ResultsSource {
  /** The whole file as text, or null when absent. */
  text(file: string): Promise<string | null>;
  /** The file's lines in order (without line ends), or null when absent. */
  lines(file: string): Promise<AsyncIterable<string> | Iterable<string> | null>;
  /** The same lines handed out many at a time (fewer awaits for a large file), when the source can. */
  lineBlocks?(file: string): Promise<AsyncIterable<readonly string[]> | null>;
}

/** A results folder held in memory: file name → contents. */
export function memorySource(files: ReadonlyMap<string, string>): ResultsSource {
  return {
    text: async (file) => files.get(file) ?? null,
    lines: async (file) => {
      const text = files.get(file);
      return text === undefined ? null : splitLines(text);
    },
  };
}

/** Lines of a text one at a time, without copying the whole text into an array first. */
function* splitLines(text: string): Generator<string> {
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(at, end - 1) : text.slice(at, end);
    yield line;
    at = end + 1;
  }
}
