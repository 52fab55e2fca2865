import type { TestProject } from "vitest/node";
import { loadSeed } from "../seeds/load.ts";
import { createScratchDatabase, type ScratchImage } from "../src/database/scratch.ts";
import { openDatabase } from "../src/db.ts";

/** What a test database starts as: initialised only, migrated, or migrated and seeded. */
export type DatabaseContent = "empty" | "migrated" | "seeded";
export type DatabaseImages = Partial<Record<DatabaseContent, string>>;

declare module "vitest" {
  export interface ProvidedContext {
    /** Images to copy each test file's database from, by TEST_DB; see test/helpers.ts. */
    databaseImages: Record<string, DatabaseImages>;
  }
}

/**
 * The images of one run, made from the migrations and seeds as they are now, so nothing outlives
 * the run. On PostgreSQL, CREATE DATABASE already starts empty, so that image is not needed.
 */
async function makeImages(serverUrl: string | undefined): Promise<{ ids: DatabaseImages; images: ScratchImage[] }> {
  const scratch = await createScratchDatabase(serverUrl, "test_images");
  const images: ScratchImage[] = [];
  const ids: DatabaseImages = {};
  const save = async (content: DatabaseContent) => {
    const image = await scratch.saveImage();
    images.push(image);
    ids[content] = image.id;
  };
  try {
    if (!serverUrl) await save("empty");
    const migrated = await openDatabase({ databaseUrl: scratch.url });
    await migrated.close();
    await save("migrated");
    const seeded = await openDatabase({ databaseUrl: scratch.url });
    await loadSeed(seeded.prisma);
    await seeded.close();
    await save("seeded");
    return { ids, images };
  } catch (error) {
    await Promise.all(images.map((image) => image.drop()));
    throw error;
  } finally {
    await scratch.drop();
  }
}

export default async function setup(project: TestProject) {
  // Only for the databases of the projects this run selected (vitest --project).
  const databases = new Set(project.vitest.projects.map((selected) => selected.config.env.TEST_DB));
  const servers: Record<string, string | undefined> = {};
  if (databases.has("pglite")) servers.pglite = undefined;
  if (databases.has("postgres")) servers.postgres = process.env.TEST_DATABASE_URL;
  const made = await Promise.allSettled(Object.entries(servers).map(async ([name, url]) => ({ name, ...(await makeImages(url)) })));
  const ready = made.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const dropAll = () => Promise.all(ready.flatMap(({ images }) => images.map((image) => image.drop())));
  const failure = made.find((result) => result.status === "rejected");
  if (failure) {
    await dropAll();
    throw failure.reason;
  }
  project.provide("databaseImages", Object.fromEntries(ready.map(({ name, ids }) => [name, ids])));
  return dropAll;
}
