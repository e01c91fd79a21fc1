/**
 * The spec in the page's URL, so a link reproduces a run: `#preset=<name>` for an unedited preset,
 * otherwise `#spec=<text>` with the YAML deflated (CompressionStream, raw deflate) and written in
 * base64url. `&trace=0` / `&pcap=1` carry the two options. The seed is part of the spec.
 */

export interface SharedState {
  preset?: string;
  text?: string;
  trace: boolean;
  pcap: boolean;
}

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export async function encodeState(s: SharedState): Promise<string> {
  const params = new URLSearchParams();
  if (s.preset !== undefined) params.set('preset', s.preset);
  else
    params.set(
      'spec',
      toBase64Url(await pipe(new TextEncoder().encode(s.text ?? ''), new CompressionStream('deflate-raw'))),
    );
  if (!s.trace) params.set('trace', '0');
  if (s.pcap) params.set('pcap', '1');
  return '#' + params.toString();
}

/** The state a URL hash holds; null when it holds none (or cannot be read: the page says so). */
export async function decodeState(hash: string): Promise<SharedState | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const trace = params.get('trace') !== '0';
  const pcap = params.get('pcap') === '1';
  const preset = params.get('preset');
  if (preset !== null) return { preset, trace, pcap };
  const spec = params.get('spec');
  if (spec === null) return null;
  const text = new TextDecoder().decode(await pipe(fromBase64Url(spec), new DecompressionStream('deflate-raw')));
  return { text, trace, pcap };
}
