/** Print a plain-text table (columns padded, numbers right-aligned) and remember it for the summary. */

const printed = [];

export function table(title, header, rows, notes = []) {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const isNumeric = (s) => /^[-–+]?[\d.,]+(×|%| ms| MB| KB| B)?$|^–$/.test(s);
  const line = (row) => row.map((c, i) => (i > 0 && isNumeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [
    '',
    `## ${title}`,
    '',
    line(cells[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
    ...(notes.length ? ['', ...notes.map((n) => `  ${n}`)] : []),
  ].join('\n');
  printed.push(out);
  process.stdout.write(`${out}\n`);
}

export function allTables() {
  return printed.join('\n');
}
