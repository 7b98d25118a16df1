/**
 * Where a YAML syntax error really is. The `yaml` parser notices a flow collection
 * that was never closed (`- {path: X, value: Y` without its `}`) only at the next
 * token, so it reports the line AFTER the mistake; a user then looks at a correct
 * line. For those errors the position is moved back to where the closing bracket is
 * missing: the end of the last line with content before the reported one.
 * @module
 */

/** Position (0-based offset) and a note for a YAML error, moved to the unclosed bracket's line when that is the cause. */
export function yamlErrorOffset(text: string, message: string, offset: number): { offset: number; note: string } {
  const m = /end with an? ([}\]])|to end with ([}\]])/.exec(message);
  if (!m) return { offset, note: '' };
  const open = (m[1] ?? m[2]) === '}' ? '{' : '[';
  // Forward scan to the reported offset: the innermost bracket still open there.
  const stack: { ch: string; at: number }[] = [];
  let quote: string | undefined;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n') quote = undefined; // a quote left open is another error; do not let it swallow the rest
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) while (i < offset && text[i] !== '\n') i++;
    else if (c === '{' || c === '[') stack.push({ ch: c, at: i });
    else if ((c === '}' || c === ']') && stack.length > 0) stack.pop();
  }
  const opener = [...stack].reverse().find((s) => s.ch === open);
  if (!opener) return { offset, note: '' };
  // The end of the last line with content before the reported line.
  let end = text.lastIndexOf('\n', Math.max(0, offset - 1));
  while (end > opener.at) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.trim() !== '' && !line.trim().startsWith('#')) return { offset: start + line.trimEnd().length, note: posNote(text, opener.at, open) };
    end = start - 1;
  }
  return { offset: opener.at, note: posNote(text, opener.at, open) };
}

function posNote(text: string, at: number, open: string): string {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return ` (the ${open} opened at line ${line}, column ${col} is not closed: add ${open === '{' ? '}' : ']'} at the end of its value)`;
}
