/**
 * The vendor configuration file a simulated device writes and reads back: one
 * `Name<TAB>type<TAB>value` line per parameter, in tree order. CWMP's Upload of a
 * `1 Vendor Configuration File` sends it; USP's `VendorConfigFile.{i}.Backup()` sends
 * it and `Restore()` reads it back. Pure text in, values out: no tree here.
 * @module
 */

/** One line of a configuration file. */
export interface ConfigFileEntry {
  name: string;
  type: string;
  value: string;
}

/** The configuration file of these values (what `ParameterTree.getValues` returns). */
export function formatConfigFile(values: readonly ConfigFileEntry[]): string {
  return `${values.map((v) => `${v.name}\t${v.type}\t${v.value}`).join('\n')}\n`;
}

/**
 * Reads a configuration file back. Blank lines are skipped; a value may hold tabs (the
 * third field runs to the end of the line).
 * @throws Error naming the first line that is not `Name<TAB>type<TAB>value`.
 */
export function parseConfigFile(text: string): ConfigFileEntry[] {
  const out: ConfigFileEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const a = line.indexOf('\t');
    const b = a < 0 ? -1 : line.indexOf('\t', a + 1);
    if (a <= 0 || b < 0) throw new Error(`line ${i + 1} is not Name<TAB>type<TAB>value: ${JSON.stringify(line.slice(0, 80))}`);
    out.push({ name: line.slice(0, a), type: line.slice(a + 1, b), value: line.slice(b + 1) });
  }
  return out;
}
