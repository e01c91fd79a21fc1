/**
 * What a chart function returns: a drawn figure (SVG text plus the caption the page prints under
 * it), or the reason it could not be drawn from the results at hand. A missing input is a note
 * on the page, never an exception.
 */

export interface Figure {
  kind: 'figure';
  svg: string;
  title: string;
  /** One or two sentences saying what is plotted and how (seeds, bands, error bars). */
  caption: string;
}

export interface Skipped {
  kind: 'skipped';
  reason: string;
}

export type ChartResult = Figure | Skipped;

export function skipped(reason: string): Skipped {
  return { kind: 'skipped', reason };
}

export function figure(svg: string, title: string, caption: string): Figure {
  return { kind: 'figure', svg, title, caption };
}
