/**
 * Reads Stryker's results file(s) (mutation-testing-report-schema JSON, e.g. the incremental file
 * `reports/stryker-incremental.json`).
 *
 *   npm run mutation:report                      score per folder of reports/stryker-incremental.json
 *   npm run mutation:report -- scores FILE       the same for another file
 *   npm run mutation:report -- survivors FILE [PATH-PART]
 *                                                every surviving or uncovered mutant, file:line
 *   npm run mutation:report -- merge OUT IN...   one results file from several partial runs (a later
 *                                                input wins for a file both hold)
 *
 * The score is Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage); compile
 * errors and ignored (static) mutants are not counted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}
interface FileResult {
  source: string;
  mutants: Mutant[];
}
interface Report {
  files: Record<string, FileResult>;
  testFiles?: Record<string, unknown>;
  [key: string]: unknown;
}

const DEFAULT_FILE = path.join(__dirname, '..', 'reports', 'stryker-incremental.json');
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const read = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

/** The folder a file is scored under: its directory below `src/`. */
export function folderOf(file: string): string {
  return path.posix.dirname(file.replace(/\\/g, '/')).replace(/^src\//, '');
}

export interface FolderScore {
  folder: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileErrors: number;
  ignored: number;
}

export function scoresByFolder(report: Report): FolderScore[] {
  const byFolder = new Map<string, FolderScore>();
  for (const [file, result] of Object.entries(report.files)) {
    const folder = folderOf(file);
    const row = byFolder.get(folder) ?? {
      folder,
      killed: 0,
      timeout: 0,
      survived: 0,
      noCoverage: 0,
      compileErrors: 0,
      ignored: 0,
    };
    for (const m of result.mutants) {
      if (m.status === 'Killed') row.killed++;
      else if (m.status === 'Timeout') row.timeout++;
      else if (m.status === 'Survived') row.survived++;
      else if (m.status === 'NoCoverage') row.noCoverage++;
      else if (m.status === 'CompileError') row.compileErrors++;
      else if (m.status === 'Ignored') row.ignored++;
    }
    byFolder.set(folder, row);
  }
  return [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

const percent = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);

export function scoreTable(rows: FolderScore[]): string {
  const total: FolderScore = rows.reduce(
    (t, r) => ({
      folder: '**all**',
      killed: t.killed + r.killed,
      timeout: t.timeout + r.timeout,
      survived: t.survived + r.survived,
      noCoverage: t.noCoverage + r.noCoverage,
      compileErrors: t.compileErrors + r.compileErrors,
      ignored: t.ignored + r.ignored,
    }),
    { folder: '', killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileErrors: 0, ignored: 0 },
  );
  const lines = [
    '| folder | score | covered | killed | timeout | survived | no coverage | compile errors | ignored (static) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of [...rows, total]) {
    const detected = r.killed + r.timeout;
    lines.push(
      `| ${r.folder === '**all**' ? r.folder : `\`${r.folder}\``} | ${percent(detected, detected + r.survived + r.noCoverage)} | ${percent(detected, detected + r.survived)} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.compileErrors} | ${r.ignored} |`,
    );
  }
  return lines.join('\n');
}

export function survivors(report: Report, pathPart = ''): string[] {
  const out: string[] = [];
  for (const [file, result] of Object.entries(report.files)) {
    if (!file.includes(pathPart)) continue;
    const lines = result.source.split('\n');
    for (const m of result.mutants) {
      if (!UNDETECTED.has(m.status)) continue;
      const { line, column } = m.location.start;
      const replacement = JSON.stringify(m.replacement ?? '').slice(0, 70);
      out.push(
        `${file}:${line}:${column} ${m.status} ${m.mutatorName} → ${replacement} | ${lines[line - 1]?.trim().slice(0, 90)}`,
      );
    }
  }
  return out;
}

export function merge(reports: Report[]): Report {
  const [first, ...rest] = reports;
  const merged: Report = { ...first, files: { ...first.files }, testFiles: { ...first.testFiles } };
  for (const r of rest) {
    Object.assign(merged.files, r.files);
    Object.assign(merged.testFiles!, r.testFiles ?? {});
  }
  return merged;
}

function main(argv: string[]): void {
  const [command = 'scores', ...args] = argv;
  if (command === 'scores') {
    console.log(scoreTable(scoresByFolder(read(args[0] ?? DEFAULT_FILE))));
  } else if (command === 'survivors') {
    for (const line of survivors(read(args[0] ?? DEFAULT_FILE), args[1])) console.log(line);
  } else if (command === 'merge' && args.length >= 2) {
    const [out, ...inputs] = args;
    writeFileSync(out, JSON.stringify(merge(inputs.map(read))));
    console.log(`${out}: ${inputs.length} results files merged`);
  } else {
    console.error('usage: mutation-report [scores FILE | survivors FILE [PATH] | merge OUT IN...]');
    process.exitCode = 2;
  }
}

if (require.main === module) main(process.argv.slice(2));
