// Imports files of records: every row of every file is validated first (types, references to the
// same files or to the database, duplicates), and only when all are valid are they written, in one
// transaction, a batch of records at a time. Files are read as streams, twice (validate, then write),
// so memory stays flat.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { FileError, readRows } from "./read.ts";
import { type Entity, entities, entityNames, parseRecord, type RecordOf, type Reference, referencesOf, valueAt } from "./records.ts";
import { type Author, type WriteReport, writeTransaction } from "./write.ts";

export interface ImportFile {
  entity: Entity;
  path: string;
}

/** One problem in one field of one row, as the import report shows it. */
export interface Problem {
  file: string;
  /** Line (CSV, NDJSON) or position (JSON); null for a problem with the whole file. */
  row: number | null;
  /** The record's slug or url, when it has one. */
  key: string | null;
  field: string | null;
  found: unknown;
  expected: string;
}

export function describeProblem(p: Problem): string {
  if (p.row === null) return p.expected;
  const found = p.found === undefined ? "(missing)" : JSON.stringify(p.found);
  return `${p.file} row ${p.row}${p.key ? ` (${p.key})` : ""} ${p.field}: found ${found}; ${p.expected}`;
}

export class ImportValidationError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const list = problems.map((p) => `  - ${describeProblem(p)}`).join("\n");
    super(`${problems.length} problem(s) found; nothing was written:\n${list}`);
    this.name = "ImportValidationError";
    this.problems = problems;
  }
}

export interface Progress {
  phase: "validating" | "writing";
  file: string;
  bytes: number;
  totalBytes: number;
  rows: number;
}

export interface ImportOptions {
  author: Author;
  /** Validate and count what would change, then roll back. */
  dryRun?: boolean;
  onProgress?: (progress: Progress) => void;
  /** Records written together (a few statements a batch, whatever its size); 1,000 by default. */
  batchSize?: number;
}

export interface ImportResult {
  dryRun: boolean;
  rows: number;
  report: WriteReport;
}

class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super("dry run");
  }
}

/** Checks every row of every file; returns the problems, all of them. */
async function validate(
  prisma: PrismaClient,
  files: ImportFile[],
  onProgress: (file: ImportFile, bytes: number, rows: number) => void,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const keys = new Map<Entity, Map<string, string>>(entityNames.map((e) => [e, new Map()]));
  // References not (yet) found among the records read so far; checked again at the end, then in the database.
  const unresolved: (Reference & { file: string; row: number; key: string | null })[] = [];
  // Keys found in the database, apart from the file's own keys so that they do not count as duplicates.
  const inDatabase = new Map<Entity, Set<string>>(entityNames.map((e) => [e, new Set()]));
  const known = (target: Entity, value: string) => keys.get(target)!.has(value) || inDatabase.get(target)!.has(value);
  /** Drops the unresolved references that the file has since defined or the database holds, keeping memory bounded. */
  async function resolveInDatabase() {
    for (const target of entityNames) {
      const wanted = [...new Set(unresolved.filter((r) => r.target === target && !known(target, r.value)).map((r) => r.value))];
      for (let i = 0; i < wanted.length; i += 1000)
        for (const key of (await entities[target].ids(prisma, wanted.slice(i, i + 1000))).keys()) inDatabase.get(target)!.add(key);
    }
    const missing = unresolved.filter((r) => !known(r.target, r.value));
    unresolved.length = 0;
    for (const r of missing) unresolved.push(r);
    nextCheck = Math.max(5000, unresolved.length * 2);
  }
  let nextCheck = 5000;
  const parentOf = new Map<string, string>();
  const identifierOwners = new Map<string, string>();

  for (const file of files) {
    const name = path.basename(file.path);
    const { key: keyField } = entities[file.entity];
    let rows = 0;
    let bytes = 0;
    try {
      for await (const { row, record, problems: rowProblems } of readRows(file.path, file.entity, (n) => (bytes = n))) {
        const rawKey = valueAt(record, [keyField]);
        const key = typeof rawKey === "string" ? rawKey : null;
        const add = (field: string | null, found: unknown, expected: string) =>
          problems.push({ file: name, row, key, field, found, expected });
        for (const p of rowProblems) add(p.field, p.found, p.expected);
        if (record === undefined) continue;
        const { data, problems: fieldProblems } = parseRecord(file.entity, record);
        for (const p of fieldProblems) add(p.field, p.found, p.expected);
        if (key !== null) {
          const seen = keys.get(file.entity)!;
          if (seen.has(key)) add(keyField, key, `expected each ${keyField} once in the import; already at ${seen.get(key)}`);
          else seen.set(key, `${name} row ${row}`);
        }
        for (const ref of referencesOf(file.entity, record))
          if (!known(ref.target, ref.value)) unresolved.push({ ...ref, file: name, row, key });
        if (unresolved.length >= nextCheck) await resolveInDatabase();
        if (file.entity === "organizations" && data) {
          const org = data as {
            slug: string;
            parent: string | null;
            identifiers: { scheme: string; schemeName: string | null; value: string }[];
          };
          if (org.parent) parentOf.set(org.slug, org.parent);
          for (const i of org.identifiers) {
            const id = `${i.scheme}/${i.schemeName ?? ""}/${i.value}`;
            const owner = identifierOwners.get(id);
            if (owner && owner !== org.slug)
              add("identifiers", id, `expected an identifier of one organization only; also given to ${owner}`);
            identifierOwners.set(id, org.slug);
          }
        }
        onProgress(file, bytes, ++rows);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!(error instanceof FileError) && !["ENOENT", "EACCES", "EISDIR"].includes(code ?? "")) throw error;
      const message = error instanceof FileError ? error.message : `${file.path}: cannot be read (${code})`;
      problems.push({ file: name, row: null, key: null, field: null, found: undefined, expected: message });
    }
  }

  await resolveInDatabase();
  for (const r of unresolved) {
    const { key } = entities[r.target];
    problems.push({ ...r, found: r.value, expected: `expected the ${key} of one of the ${r.target} in this import or in the database` });
  }

  for (const slug of parentOf.keys()) {
    const chain = [slug];
    for (let at = parentOf.get(slug); at; at = parentOf.get(at)) {
      if (at === slug) {
        problems.push({
          file: "organizations",
          row: null,
          key: slug,
          field: "parent",
          found: undefined,
          expected: `organizations (${slug}) parent: found a cycle ${[...chain, at].join(" → ")}`,
        });
        break;
      }
      if (chain.includes(at)) break;
      chain.push(at);
    }
  }
  const fileOrder = files.map((f) => path.basename(f.path));
  const position = (p: Problem) => [fileOrder.indexOf(p.file), p.row ?? Infinity];
  return problems.sort((a, b) => position(a)[0] - position(b)[0] || position(a)[1] - position(b)[1]);
}

/**
 * Imports `files` (written in entity order, so references come first). Throws ImportValidationError,
 * having written nothing, when any row of any file has a problem.
 */
export async function importFiles(prisma: PrismaClient, files: ImportFile[], options: ImportOptions): Promise<ImportResult> {
  const ordered = [...files].sort((a, b) => entityNames.indexOf(a.entity) - entityNames.indexOf(b.entity));
  const sizes = new Map<string, number>();
  for (const f of ordered)
    sizes.set(
      f.path,
      await stat(f.path).then(
        (s) => s.size,
        () => 0,
      ),
    );
  const progress = (phase: Progress["phase"]) => (file: ImportFile, bytes: number, rows: number) =>
    options.onProgress?.({ phase, file: path.basename(file.path), bytes, totalBytes: sizes.get(file.path)!, rows });

  const problems = await validate(prisma, ordered, progress("validating"));
  if (problems.length) throw new ImportValidationError(problems);

  const onWrite = progress("writing");
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(prisma, ordered, options, onWrite);
    } catch (error) {
      if (error instanceof DryRunRollback) return error.result;
      // PostgreSQL cancelled this transaction to end a deadlock with another import (two creating the same
      // records in other orders) or a serialization conflict; nothing was written, and running it again is the remedy.
      if (attempt < WRITE_ATTEMPTS && RETRYABLE.test((error as Error).message)) continue;
      throw error;
    }
  }
}

const RETRYABLE = /deadlock detected|could not serialize access/;
const WRITE_ATTEMPTS = 3;

/** Writes the validated files in one transaction, streaming them again in batches. */
function write(
  prisma: PrismaClient,
  ordered: ImportFile[],
  options: ImportOptions,
  onWrite: (file: ImportFile, bytes: number, rows: number) => void,
): Promise<ImportResult> {
  return writeTransaction(
    prisma,
    options.author,
    async (_tx, writer) => {
      const batchSize = options.batchSize ?? 1000;
      let rows = 0;
      // The next batch is read and checked while the database writes the last one.
      let writing: Promise<void> = Promise.resolve();
      try {
        for (const file of ordered) {
          let bytes = 0;
          let fileRows = 0;
          let batch: RecordOf<Entity>[] = [];
          const flush = async () => {
            const records = batch;
            batch = [];
            await writing;
            writing = writer.writeMany(file.entity, records).then(() => {
              rows += records.length;
              fileRows += records.length;
              onWrite(file, bytes, fileRows);
            });
            // Awaited by the next flush or below; until then its failure must not count as unhandled.
            writing.catch(() => {});
          };
          for await (const { record } of readRows(file.path, file.entity, (n) => (bytes = n))) {
            const { data } = parseRecord(file.entity, record);
            if (!data) throw new Error(`${file.path} changed while it was being imported; run the import again`);
            batch.push(data);
            if (batch.length >= batchSize) await flush();
          }
          if (batch.length) await flush();
          // The next file's records may refer to this one's.
          await writing;
        }
      } finally {
        // No statement of this transaction may still run when it ends.
        await writing.catch(() => {});
      }
      const result = { dryRun: Boolean(options.dryRun), rows, report: await writer.finish() };
      if (options.dryRun) throw new DryRunRollback(result);
      return result;
    },
    { timeout: 6 * 60 * 60 * 1000, maxWait: 60_000 },
  );
}

/** The entity a file holds, from its name: `organizations.csv`, `2026-11-fundings.ndjson`. */
export function entityOfFile(file: string): Entity | undefined {
  const stem = path
    .basename(file)
    .replace(/\.[^.]+$/, "")
    .toLowerCase();
  return entityNames.find((e) => stem === e || stem.endsWith(`-${e}`) || stem.endsWith(`_${e}`) || stem.endsWith(`.${e}`));
}

/**
 * The files to import for a path: a bundle manifest (`{"files": [{"entity", "path"}]}`, paths
 * relative to the manifest), or one data file whose entity is `entity` or is read from its name.
 */
export async function filesToImport(file: string, entity?: string): Promise<ImportFile[]> {
  if (entity !== undefined && !entityNames.includes(entity as Entity))
    throw new FileError(`unknown entity "${entity}"; expected one of ${entityNames.join(", ")}`);
  if (path.basename(file) === "manifest.json") {
    let manifest: any;
    try {
      manifest = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new FileError(`${file}: cannot be read as a JSON manifest (${(error as Error).message})`);
    }
    const list = manifest?.files;
    if (!Array.isArray(list) || list.some((f: any) => !entityNames.includes(f?.entity) || typeof f?.path !== "string"))
      throw new FileError(`${file}: expected {"files": [{"entity": one of ${entityNames.join(", ")}, "path": "file name"}, ...]}`);
    return list.map((f: ImportFile) => ({ entity: f.entity, path: path.resolve(path.dirname(file), f.path) }));
  }
  const found = (entity as Entity | undefined) ?? entityOfFile(file);
  if (!found)
    throw new FileError(
      `${file}: cannot tell what the file holds from its name; name it like organizations.csv or pass --entity (${entityNames.join(", ")})`,
    );
  return [{ entity: found, path: file }];
}
