/**
 * The YAML editor: a plain textarea (a code-editor library would outweigh the engine) with a
 * line-number gutter that marks the lines validation problems point at, and the problem list below
 * it, each naming its field path; clicking one selects its line.
 */
import { formatSpecError, type SpecError } from '../../src/experiment/errors.ts';
import { fieldLine } from './field-lines.ts';

export interface Located extends SpecError {
  /** The editor line the problem points at, when it is in the editor's file. */
  editorLine: number | null;
}

export class Editor {
  private lineCount = 0;

  constructor(
    readonly area: HTMLTextAreaElement,
    private readonly gutter: HTMLElement,
    private readonly box: HTMLElement,
    private readonly list: HTMLElement,
  ) {
    area.addEventListener('scroll', () => (gutter.scrollTop = area.scrollTop));
    area.addEventListener('input', () => this.drawGutter(new Set()));
    area.addEventListener('keydown', (e) => {
      // Tab indents by two spaces, as YAML wants, instead of leaving the editor.
      if (e.key !== 'Tab' || e.shiftKey) return;
      e.preventDefault();
      area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end');
      area.dispatchEvent(new Event('input'));
    });
  }

  get text(): string {
    return this.area.value;
  }

  set text(value: string) {
    this.area.value = value;
    this.area.scrollTop = 0;
    this.drawGutter(new Set());
  }

  /** Shows the problems (none: clears them); `file` is the path the editor's text is loaded as. */
  showProblems(errors: readonly SpecError[], file: string): Located[] {
    const located: Located[] = errors.map((e) => ({
      ...e,
      editorLine: e.file !== file ? null : (e.line ?? (e.path === '' ? null : fieldLine(this.text, e.path))),
    }));
    this.list.replaceChildren(...located.map((e) => this.item(e, file)));
    this.box.classList.toggle('invalid', located.length > 0);
    this.drawGutter(new Set(located.map((e) => e.editorLine).filter((l): l is number => l !== null)));
    return located;
  }

  private item(e: Located, file: string): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'problem';
    li.dataset.path = e.path;
    if (e.editorLine !== null) {
      li.dataset.line = String(e.editorLine);
      const where = document.createElement('span');
      where.className = 'where';
      where.textContent = `line ${e.editorLine}`;
      li.append(where);
      li.addEventListener('click', () => this.selectLine(e.editorLine!));
    }
    if (e.file !== file) li.append(`${e.file}: `);
    if (e.path !== '') {
      const code = document.createElement('code');
      code.textContent = e.path;
      li.append(code, ': ');
    }
    li.append(e.line !== undefined ? formatSpecError(e).replace(/^.*?:\d+:\d+: /, '') : e.message);
    return li;
  }

  selectLine(line: number): void {
    const lines = this.text.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i]!.length + 1;
    this.area.focus();
    this.area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const lineHeight = this.area.scrollHeight / Math.max(1, lines.length);
    this.area.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  private drawGutter(bad: ReadonlySet<number>): void {
    const n = this.text.split('\n').length;
    if (n === this.lineCount && bad.size === 0 && !this.gutter.querySelector('.bad')) return;
    this.lineCount = n;
    const parts: string[] = [];
    for (let i = 1; i <= n; i++) parts.push(bad.has(i) ? `<span class="bad">${i}</span>` : String(i));
    this.gutter.innerHTML = parts.join('\n') + '\n\n';
    this.gutter.scrollTop = this.area.scrollTop;
  }
}
