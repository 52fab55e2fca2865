// `npm run import -- FILE [--dry-run] [--entity NAME] [--reason TEXT]`: imports a CSV, JSON or NDJSON
// file, or a bundle's manifest.json, into DATABASE_URL or the embedded database in DATA_DIR.
// Nothing is written unless every row of every file is valid. Progress goes to stderr: a bar on a
// terminal, a line every 10% otherwise.
import path from "node:path";
import { parseArgs } from "node:util";
import { filesToImport, ImportValidationError, importFiles, type Progress } from "../import/index.ts";
import { FileError } from "../import/read.ts";
import { IMPORT_ACTOR } from "../import/write.ts";
import { openCliDatabase } from "./database.ts";

const usage = "usage: npm run import -- FILE [--dry-run] [--entity NAME] [--reason TEXT]";
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "dry-run": { type: "boolean" }, entity: { type: "string" }, reason: { type: "string" } },
});
if (positionals.length !== 1) {
  console.error(usage);
  process.exit(2);
}

function progressReporter() {
  const tty = process.stderr.isTTY;
  let lastStep = -1;
  let lastKey = "";
  return (p: Progress) => {
    const fraction = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
    const key = `${p.phase} ${p.file}`;
    if (tty) {
      const width = 30;
      const bar = "█".repeat(Math.round(fraction * width)).padEnd(width, "░");
      process.stderr.write(
        `\r${p.phase.padEnd(10)} ${p.file} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${p.rows.toLocaleString("en")} rows`,
      );
      return;
    }
    const step = Math.floor(fraction * 10);
    if (key !== lastKey || step !== lastStep) {
      lastKey = key;
      lastStep = step;
      process.stderr.write(`${p.phase} ${p.file}: ${step * 10}% (${p.rows} rows)\n`);
    }
  };
}

const db = await openCliDatabase();
try {
  const files = await filesToImport(positionals[0], values.entity);
  const dryRun = Boolean(values["dry-run"]);
  const started = Date.now();
  const result = await importFiles(db.prisma, files, {
    author: { actor: IMPORT_ACTOR, reason: values.reason ?? `import of ${path.basename(positionals[0])}` },
    dryRun,
    onProgress: progressReporter(),
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  const changed = Object.values(result.report).reduce((n, c) => n + c.created + c.updated, 0);
  console.table(Object.fromEntries(Object.entries(result.report).filter(([, c]) => c.created + c.updated + c.unchanged > 0)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    dryRun
      ? `Dry run: ${result.rows} rows valid; ${changed} records would change. Nothing was written.`
      : `${result.rows} rows imported in ${seconds} s; ${changed === 0 ? "nothing changed (already up to date)" : `${changed} records created or updated`}.`,
  );
} catch (error) {
  if (process.stderr.isTTY) process.stderr.write("\n");
  if (!(error instanceof ImportValidationError || error instanceof FileError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await db.close();
}
