/**
 * The spec files the playground knows: the flagship experiments (its presets) and the topologies
 * they name by path, bundled as text. A spec in the editor is loaded as `experiments/<name>.yaml`,
 * so `topology: ../topologies/star.yaml` resolves as it does for the CLI.
 */
import files from 'tcplab:specs';
import type { FileReader } from '../../src/experiment/load.ts';

export const SPEC_FILES: Readonly<Record<string, string>> = files;

/** Reads a bundled file as the loader asks for it (a normalized relative path). */
export const readBundled: FileReader = (file) => {
  const key = file.replace(/^\.\//, '');
  const text = files[key];
  if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return text;
};
